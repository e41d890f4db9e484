/** `baton show --temporal` and `baton cancel --temporal`: a pipeline's workflow on Temporal. */
import { OrchestrationError } from '@baton/core';
import {
  GRAPH_QUERIES,
  fromTemporalError,
  type GraphProgress,
  type NodeStatus,
} from '@baton/workflow-temporal';
import { colors } from '../colors.js';
import { EXIT } from '../exit-codes.js';
import { formatAge, pad, preview } from '../format.js';
import { ndjson } from '../json-reporter.js';
import {
  withTarget,
  type TemporalFlags,
  type TemporalTarget,
} from '../temporal/temporal-target.js';
import { describeRun, type DescribedRun } from '../temporal/workflow-description.js';
import type { CommandContext } from './context.js';

/** Options of `baton show --temporal`. */
interface ShowFlags extends TemporalFlags {
  readonly json?: boolean;
}

/** What a closed workflow returned, or what it failed with. */
interface Ending {
  readonly output?: unknown;
  readonly outputs?: Readonly<Record<string, unknown>>;
  readonly nodes?: Readonly<Record<string, NodeStatus>>;
  readonly failures?: Readonly<Record<string, { code: string; message: string }>>;
  readonly error?: OrchestrationError;
}

const DEADLINE_MS = 5_000;

async function ending(target: TemporalTarget, runId: string): Promise<Ending> {
  try {
    return (await target.client.workflow.getHandle(runId).result()) as Ending;
  } catch (error) {
    const e = fromTemporalError(error, 'baton show');
    const details = e.details as Ending & { failures?: Ending['failures'] };
    return {
      error: e,
      ...(details.nodes === undefined ? {} : { nodes: details.nodes }),
      ...(details.outputs === undefined ? {} : { outputs: details.outputs }),
      ...(details.failures === undefined ? {} : { failures: details.failures }),
    };
  }
}

/** Node counts of a running workflow; undefined when no worker answers in time. */
async function progressOf(
  target: TemporalTarget,
  runId: string,
): Promise<GraphProgress | undefined> {
  try {
    return await target.connection.withDeadline(Date.now() + DEADLINE_MS, () =>
      target.client.workflow.getHandle(runId).query<GraphProgress>(GRAPH_QUERIES.progress),
    );
  } catch {
    return undefined;
  }
}

function taskLines(tasks: readonly string[], end: Ending, c: ReturnType<typeof colors>): string[] {
  const width = Math.max(4, ...tasks.map((t) => t.length));
  return tasks.flatMap((id) => {
    const status = end.nodes?.[id];
    if (status === undefined) return [c.dim(`${pad(id, width)}  not run`)];
    const head = `${pad(id, width)}  ${status}`;
    if (status === 'succeeded')
      return [c.green(head), `    output: ${preview(end.outputs?.[id], 200)}`];
    const failure = end.failures?.[id];
    if (status === 'failed')
      return [
        c.red(head),
        `    error: ${failure === undefined ? 'see the run error' : `${failure.code}: ${preview(failure.message, 300)}`}`,
      ];
    return [c.dim(head)];
  });
}

/** `baton show <runId> --temporal <address>`. */
export async function showOnTemporal(
  runId: string,
  flags: ShowFlags,
  ctx: CommandContext,
): Promise<number> {
  return withTarget(flags, ctx, async (target) => {
    const described = await describeRun(target, runId, 'baton show');
    if (described.isErr()) return ctx.fail(described.error);
    const run: DescribedRun = described.value;
    const running = run.state === 'running';
    const progress = running ? await progressOf(target, runId) : undefined;
    const end = running ? {} : await ending(target, runId);
    const tasks = run.memo?.tasks ?? Object.keys(end.nodes ?? {});
    if (flags.json === true) {
      ctx.stdout.write(ndjson({ runId, ...run, progress, ...end }));
      return EXIT.ok;
    }
    const c = colors(ctx.isTTY);
    const now = Date.now();
    const lines = [
      `${c.bold(`run ${runId}`)}  ${run.memo?.pipeline ?? ''}  ${run.state}`,
      `started ${run.startedAt.toISOString()} (${formatAge(now - run.startedAt.getTime())})${run.endedAt === undefined ? '' : `, ended ${formatAge(now - run.endedAt.getTime())}`}`,
    ];
    if (run.memo !== undefined) lines.push(`pipeline ${run.memo.file}`);
    lines.push(
      `on Temporal ${target.address} (namespace ${target.namespace}, task queue ${run.taskQueue})`,
      '',
    );
    if (running)
      lines.push(
        progress === undefined
          ? 'progress: no worker answered (is one polling the task queue?)'
          : `progress: ${progress.succeeded} succeeded, ${progress.failed} failed, ${progress.skipped} skipped, ${progress.running} running of ${progress.total} nodes`,
      );
    else lines.push(...taskLines(tasks, end, c));
    if (end.error !== undefined) lines.push('', c.red(`${end.error.code}: ${end.error.message}`));
    ctx.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  });
}

/** `baton cancel <runId> --temporal <address>`: asks Temporal to cancel the workflow. */
export async function cancelOnTemporal(
  runId: string,
  flags: TemporalFlags,
  ctx: CommandContext,
): Promise<number> {
  return withTarget(flags, ctx, async (target) => {
    const described = await describeRun(target, runId, 'baton cancel');
    if (described.isErr()) return ctx.fail(described.error);
    if (described.value.state !== 'running')
      return ctx.fail(
        new OrchestrationError(
          'invalid_state',
          `run ${runId} already ${described.value.state}; nothing to cancel`,
          { op: 'baton cancel' },
        ),
      );
    try {
      await target.connection.withDeadline(Date.now() + DEADLINE_MS, () =>
        target.client.workflow.getHandle(runId).cancel(),
      );
    } catch (error) {
      return ctx.fail(fromTemporalError(error, 'baton cancel'));
    }
    ctx.stdout.write(
      `run ${runId}: cancel requested on Temporal; running tasks are told to stop and the run ends as canceled\n`,
    );
    return EXIT.ok;
  });
}
