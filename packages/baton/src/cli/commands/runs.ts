import type { RunCheckpoint, RunStatus } from '@baton/core';
import { OrchestrationError } from '@baton/core';
import { colors } from '../colors.js';
import { EXIT } from '../exit-codes.js';
import { formatAge, pad } from '../format.js';
import { ndjson } from '../json-reporter.js';
import { readRunMetadata } from '../run-metadata.js';
import { openStore } from '../store.js';
import type { CommandContext } from './context.js';

const STATUSES: readonly RunStatus[] = [
  'pending',
  'running',
  'paused',
  'succeeded',
  'failed',
  'canceled',
];

/** Options of `baton runs`. */
export interface RunsOptions {
  readonly status?: string;
  readonly store?: string;
  readonly json?: boolean;
}

/** `baton runs`: the stored runs, newest first, with status, progress and age. */
export async function runsCommand(options: RunsOptions, ctx: CommandContext): Promise<number> {
  if (options.status !== undefined && !STATUSES.includes(options.status as RunStatus)) {
    return ctx.fail(
      new OrchestrationError(
        'invalid_input',
        `--status ${options.status}: expected one of ${STATUSES.join(', ')}`,
      ),
    );
  }
  const opened = await openStore(options.store);
  if (opened.isErr()) return ctx.fail(opened.error);
  const { store, close } = opened.value;
  try {
    const status = options.status as RunStatus | undefined;
    const runs: RunCheckpoint[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listRuns({
        ...(status === undefined ? {} : { status }),
        ...(cursor === undefined ? {} : { cursor }),
        limit: 1000,
      });
      if (page.isErr()) return ctx.fail(page.error);
      runs.push(...page.value.runs);
      cursor = page.value.nextCursor;
    } while (cursor !== undefined);
    const rows: { run: RunCheckpoint; finished: number; total: number | undefined }[] = [];
    for (const run of runs) {
      const loaded = await store.loadRun(run.runId);
      const tasks = readRunMetadata(run)?.tasks;
      const records = loaded.isOk() ? loaded.value.nodes : [];
      const finished = records.filter((n) => tasks === undefined || tasks.includes(n.node)).length;
      rows.push({ run, finished, total: tasks?.length });
    }
    if (options.json === true) {
      for (const { run, finished, total } of rows)
        ctx.stdout.write(
          ndjson({
            runId: run.runId,
            pipeline: run.graph,
            status: run.status,
            finished,
            total,
            startedAt: run.startedAt,
            updatedAt: run.updatedAt,
          }),
        );
      return EXIT.ok;
    }
    if (rows.length === 0) {
      ctx.stdout.write(
        `no runs${options.status === undefined ? '' : ` with status ${options.status}`} in ${opened.value.where}\n`,
      );
      return EXIT.ok;
    }
    const c = colors(ctx.isTTY);
    const idWidth = Math.max(6, ...rows.map((r) => r.run.runId.length));
    const nameWidth = Math.max(8, ...rows.map((r) => r.run.graph.length));
    ctx.stdout.write(
      c.bold(
        `${pad('RUN ID', idWidth)}  ${pad('PIPELINE', nameWidth)}  ${pad('STATUS', 9)}  ${pad('PROGRESS', 8)}  AGE`,
      ) + '\n',
    );
    const now = Date.now();
    for (const { run, finished, total } of rows) {
      const progress = total === undefined ? `${finished}` : `${finished}/${total}`;
      ctx.stdout.write(
        `${pad(run.runId, idWidth)}  ${pad(run.graph, nameWidth)}  ${pad(run.status, 9)}  ${pad(progress, 8)}  ${formatAge(now - run.startedAt)}\n`,
      );
    }
    return EXIT.ok;
  } finally {
    await close();
  }
}
