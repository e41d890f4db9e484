import { resolve } from 'node:path';
import { OrchestrationError, type NodeCheckpoint, type RunHandle } from '@baton/core';
import { withGraphCheckpointer, withGraphMaxWorkers, type GraphOption } from '@baton/graph';
import { loadActions } from './load-actions.js';
import { loadOrReport } from './load-or-report.js';
import { EXIT, exitCodeOfRun } from '../exit-codes.js';
import { parseWorkers, readInputs } from '../inputs.js';
import type { LoadedPipeline } from '../pipeline-session.js';
import type { RunOutcome } from '../reporter.js';
import { reporterFor } from '../reporter-for.js';
import { METADATA_KEY, readRunMetadata, type CliRunMetadata } from '../run-metadata.js';
import { RunModel } from '../run-model.js';
import { openStore, type OpenedStore } from '../store.js';
import type { CommandContext } from './context.js';

/** How often a running CLI looks for `baton cancel` in the run's record. */
const CANCEL_POLL_MS = 250;

/** Options of `baton run`. */
interface RunOptions {
  readonly input?: string[];
  readonly inputFile?: string;
  readonly actions?: string[];
  readonly store?: string;
  readonly runId?: string;
  readonly maxWorkers?: string;
  readonly temporal?: string;
  readonly namespace?: string;
  readonly taskQueue?: string;
  /** false with `--no-worker`. */
  readonly worker?: boolean;
  readonly json?: boolean;
}

function graphOptions(opened: OpenedStore, workers: number | undefined): GraphOption[] {
  const options = [withGraphCheckpointer(opened.store)];
  if (workers !== undefined) options.push(withGraphMaxWorkers(workers));
  return options;
}

/** Watches a started run until it ends: events to the reporter, Ctrl-C and `baton cancel` to it. */
async function watch(
  handle: RunHandle,
  pipeline: LoadedPipeline,
  opened: OpenedStore,
  ctx: CommandContext,
  json: boolean | undefined,
  restored: readonly NodeCheckpoint[],
): Promise<number> {
  const started = Date.now();
  const conditions = new Map(
    pipeline.pipeline.tasks.flatMap((t) => (t.when === undefined ? [] : [[t.id, t.when] as const])),
  );
  const model = new RunModel(pipeline.tasks, started, conditions);
  model.restore(restored);
  const reporter = reporterFor(ctx, json);
  const info = {
    runId: handle.runId,
    pipeline: pipeline.name,
    tasks: pipeline.tasks,
    store: opened.where,
    resumed: restored.length > 0,
  };
  reporter.start(info, model);
  const subscription = handle.events$.subscribe((event) => {
    model.apply(event);
    reporter.event(event, model);
  });
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    reporter.note('canceling: running tasks are told to stop (Ctrl-C again to exit at once)');
    handle.cancel('interrupted (Ctrl-C)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const poll = setInterval(() => {
    void opened.store.loadRun(handle.runId).map(({ run }) => {
      if (run.status === 'canceled' && run.updatedAt >= started && handle.status() === 'running') {
        reporter.note(`run ${handle.runId} canceled by baton cancel`);
        handle.cancel('canceled by baton cancel');
      }
    });
  }, CANCEL_POLL_MS);
  const report = await handle.report;
  clearInterval(poll);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  subscription.unsubscribe();
  model.endedAt ??= Date.now();
  let outcome: RunOutcome;
  if (report.isOk())
    outcome = { status: 'succeeded', output: report.value.output, failures: report.value.failures };
  else if (report.error.code === 'task_canceled')
    outcome = { status: 'canceled', error: report.error };
  else outcome = { status: 'failed', error: report.error };
  reporter.finish(outcome, model);
  return exitCodeOfRun(outcome.status);
}

/** `baton run <file>`. */
export async function runCommand(
  file: string,
  options: RunOptions,
  ctx: CommandContext,
): Promise<number> {
  const input = await readInputs(options.input ?? [], options.inputFile);
  if (input.isErr()) return ctx.fail(input.error);
  const workers = parseWorkers(options.maxWorkers);
  if (workers.isErr()) return ctx.fail(workers.error);
  const actionPaths = (options.actions ?? []).map((p) => resolve(p));
  const { extensions, error } = await loadActions(actionPaths);
  if (error !== undefined) return ctx.fail(error);
  const pipeline = await loadOrReport(file, extensions, ctx);
  if (typeof pipeline === 'number') return pipeline;
  if (options.temporal !== undefined) {
    const runInput = pipeline.input(input.value);
    if (runInput.isErr()) return ctx.fail(runInput.error);
    // Loaded only here: the Temporal client and worker cost start-up time other runs do not pay.
    const { runOnTemporal } = await import('./temporal-run.js');
    return runOnTemporal(pipeline, runInput.value, actionPaths, options, workers.value, ctx);
  }
  const opened = await openStore(options.store);
  if (opened.isErr()) return ctx.fail(opened.error);
  try {
    const runInput = pipeline.input(input.value);
    if (runInput.isErr()) return ctx.fail(runInput.error);
    if (options.runId !== undefined) {
      const existing = await opened.value.store.loadRun(options.runId);
      if (existing.isOk())
        return ctx.fail(
          new OrchestrationError(
            'invalid_input',
            `--run-id ${options.runId}: a run with this id is already stored in ${opened.value.where}; continue it with baton resume ${options.runId}, or pick another id`,
            { op: 'baton run' },
          ),
        );
    }
    const graph = pipeline.graph(...graphOptions(opened.value, workers.value));
    if (graph.isErr()) return ctx.fail(graph.error);
    const metadata: CliRunMetadata = {
      file: pipeline.file,
      actions: actionPaths,
      tasks: pipeline.tasks,
      pipeline: pipeline.name,
    };
    const handle = graph.value.start(runInput.value, {
      ...(options.runId === undefined ? {} : { runId: options.runId }),
      metadata: { [METADATA_KEY]: metadata },
    });
    if (handle.isErr()) return ctx.fail(handle.error);
    return await watch(handle.value, pipeline, opened.value, ctx, options.json, []);
  } finally {
    await opened.value.close();
  }
}

/** Options of `baton resume`. */
interface ResumeOptions {
  readonly store?: string;
  readonly actions?: string[];
  readonly maxWorkers?: string;
  readonly json?: boolean;
}

/** `baton resume <runId>`: rebuilds the run's pipeline from its metadata and continues it. */
export async function resumeCommand(
  runId: string,
  options: ResumeOptions,
  ctx: CommandContext,
): Promise<number> {
  const workers = parseWorkers(options.maxWorkers);
  if (workers.isErr()) return ctx.fail(workers.error);
  const opened = await openStore(options.store);
  if (opened.isErr()) return ctx.fail(opened.error);
  try {
    const stored = await opened.value.store.loadRun(runId);
    if (stored.isErr()) return ctx.fail(stored.error);
    const meta = readRunMetadata(stored.value.run);
    if (meta === undefined)
      return ctx.fail(
        new OrchestrationError(
          'invalid_state',
          `run ${runId} was not started by baton run; resume it from code with graph.resume("${runId}")`,
          { op: 'baton resume' },
        ),
      );
    if (stored.value.run.status === 'succeeded') {
      ctx.stdout.write(`run ${runId} already succeeded; nothing to resume (baton show ${runId})\n`);
      return EXIT.ok;
    }
    const paths =
      options.actions !== undefined && options.actions.length > 0
        ? options.actions.map((p) => resolve(p))
        : meta.actions;
    const { extensions, error } = await loadActions(paths);
    if (error !== undefined) return ctx.fail(error);
    const pipeline = await loadOrReport(meta.file, extensions, ctx);
    if (typeof pipeline === 'number') return pipeline;
    const graph = pipeline.graph(...graphOptions(opened.value, workers.value));
    if (graph.isErr()) return ctx.fail(graph.error);
    const handle = await graph.value.resume(runId);
    if (handle.isErr()) return ctx.fail(handle.error);
    return await watch(handle.value, pipeline, opened.value, ctx, options.json, stored.value.nodes);
  } finally {
    await opened.value.close();
  }
}
