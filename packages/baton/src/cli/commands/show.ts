import type { NodeCheckpoint } from '@baton/core';
import { colors } from '../colors.js';
import { EXIT } from '../exit-codes.js';
import { formatAge, formatDuration, pad, preview } from '../format.js';
import { ndjson } from '../json-reporter.js';
import { readRunMetadata } from '../run-metadata.js';
import { openStore } from '../store.js';
import type { CommandContext } from './context.js';

/** Options of `baton show`. */
export interface ShowOptions {
  readonly store?: string;
  readonly json?: boolean;
}

/**
 * `baton show <runId>`: the run's status, then per task its status, attempts, when it finished
 * (from the run's start), and its output or error. Tasks without a record are pending.
 */
export async function showCommand(
  runId: string,
  options: ShowOptions,
  ctx: CommandContext,
): Promise<number> {
  const opened = await openStore(options.store);
  if (opened.isErr()) return ctx.fail(opened.error);
  const { store, close, where } = opened.value;
  try {
    const loaded = await store.loadRun(runId);
    if (loaded.isErr()) return ctx.fail(loaded.error);
    const { run, nodes } = loaded.value;
    const meta = readRunMetadata(run);
    const byNode = new Map(nodes.map((n) => [n.node, n]));
    // The pipeline's tasks in order (not the compiler's `$` nodes); every node of a foreign run.
    const order = meta?.tasks ?? nodes.map((n) => n.node);
    if (options.json === true) {
      ctx.stdout.write(
        ndjson({
          run,
          tasks: order.map((id) => byNode.get(id) ?? { node: id, status: 'pending' }),
        }),
      );
      return EXIT.ok;
    }
    const c = colors(ctx.isTTY);
    const now = Date.now();
    ctx.stdout.write(`${c.bold(`run ${run.runId}`)}  ${run.graph}  ${statusText(run.status, c)}\n`);
    ctx.stdout.write(
      `started ${new Date(run.startedAt).toISOString()} (${formatAge(now - run.startedAt)}), updated ${formatAge(now - run.updatedAt)}\n`,
    );
    if (meta !== undefined) ctx.stdout.write(`pipeline ${meta.file}\n`);
    ctx.stdout.write(`stored in ${where}\n\n`);
    const width = Math.max(4, ...order.map((id) => id.length));
    for (const id of order)
      ctx.stdout.write(`${taskText(id, byNode.get(id), run.startedAt, width, c)}\n`);
    return EXIT.ok;
  } finally {
    await close();
  }
}

function statusText(status: string, c: ReturnType<typeof colors>): string {
  if (status === 'succeeded') return c.green(status);
  if (status === 'failed') return c.red(status);
  if (status === 'canceled' || status === 'paused') return c.yellow(status);
  return c.cyan(status);
}

function taskText(
  id: string,
  record: NodeCheckpoint | undefined,
  startedAt: number,
  width: number,
  c: ReturnType<typeof colors>,
): string {
  if (record === undefined) return c.dim(`${pad(id, width)}  pending`);
  const at = `attempts ${record.attempts}  finished +${formatDuration(record.finishedAt - startedAt)}`;
  const head = `${pad(id, width)}  ${pad(record.status, 9)}  ${at}`;
  if (record.status === 'succeeded')
    return `${c.green(head)}\n    output: ${preview(record.output, 200)}`;
  if (record.status === 'failed')
    return `${c.red(head)}\n    error: ${record.error === undefined ? 'unknown' : `${record.error.code}: ${preview(record.error.message, 300)}`}`;
  return c.dim(
    `${head}${record.error === undefined ? '' : `\n    ${preview(record.error.message, 200)}`}`,
  );
}
