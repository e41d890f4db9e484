import { resolve } from 'node:path';
import { EXIT } from '../exit-codes.js';
import type { LoadedPipeline } from '../pipeline-session.js';
import {
  checkFlags,
  createPipelineWorker,
  defaultTaskQueue,
  withTarget,
  type TemporalFlags,
  type TemporalTarget,
} from '../temporal/temporal-target.js';
import type { CommandContext } from './context.js';
import { loadActions } from './load-actions.js';
import { loadOrReport } from './load-or-report.js';

/** Options of `baton worker`. */
interface WorkerOptions extends TemporalFlags {
  readonly actions?: string[];
}

/**
 * `baton worker <file> --temporal <address>`: serves the pipeline's actions on its task queue
 * until SIGINT or SIGTERM, then shuts down gracefully (running tasks finish, up to the grace
 * time) and exits 0.
 */
export async function workerCommand(
  file: string,
  options: WorkerOptions,
  ctx: CommandContext,
): Promise<number> {
  const checked = checkFlags(options);
  if (checked.isErr()) return ctx.fail(checked.error);
  const { extensions, error } = await loadActions((options.actions ?? []).map((p) => resolve(p)));
  if (error !== undefined) return ctx.fail(error);
  const pipeline = await loadOrReport(file, extensions, ctx);
  if (typeof pipeline === 'number') return pipeline;
  // Fails fast, and within a bound, when the server is down (the worker's own connect retries).
  return withTarget(options, ctx, (target) => serve(pipeline, options, target, ctx));
}

async function serve(
  pipeline: LoadedPipeline,
  options: WorkerOptions,
  { address, namespace }: TemporalTarget,
  ctx: CommandContext,
): Promise<number> {
  const taskQueue = options.taskQueue ?? defaultTaskQueue(pipeline);
  const worker = await createPipelineWorker(
    pipeline,
    { address, namespace },
    taskQueue,
    ctx.stderr,
  );
  if (worker.isErr()) return ctx.fail(worker.error);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    ctx.stderr.write('stopping: running tasks finish, then the worker disconnects\n');
    void worker.value.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const running = worker.value.run();
  ctx.stdout.write(
    `worker for pipeline ${pipeline.name} on task queue ${taskQueue} at ${address} (namespace ${namespace}); Ctrl-C to stop\n`,
  );
  const ran = await running;
  await worker.value.shutdown(); // resolves once the worker's connection is closed too
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if (ran.isErr()) return ctx.fail(ran.error);
  ctx.stdout.write('worker stopped\n');
  return EXIT.ok;
}
