/**
 * `baton run --temporal` and `baton resume --temporal`: the pipeline runs as Baton's `batonGraph`
 * interpreter workflow; by default the CLI also serves the pipeline's actions with a worker of
 * its own for as long as it follows the run.
 */
import { resolve } from 'node:path';
import { OrchestrationError } from '@baton/core';
import { newRunId } from '@baton/core/authoring';
import { withGraphMaxWorkers, type GraphOption } from '@baton/graph';
import {
  createTemporalGraphWorkflow,
  withTemporalConnection,
  withTemporalRpcTimeout,
  withWorkflowMetadata,
  withWorkflowTaskQueue,
  type TemporalGraphWorkflow,
} from '@baton/workflow-temporal';
import type { BatonWorker } from '@baton/workflow-temporal/worker';
import type { Result } from 'neverthrow';
import { EXIT } from '../exit-codes.js';
import type { LoadedPipeline } from '../pipeline-session.js';
import { reporterFor } from '../reporter-for.js';
import type { RunInfo } from '../reporter.js';
import { METADATA_KEY } from '../run-metadata.js';
import { followTemporalRun } from '../temporal/follow-temporal-run.js';
import {
  checkFlags,
  createPipelineWorker,
  defaultTaskQueue,
  openTarget,
  pipelineVersion,
  type TemporalFlags,
  type TemporalTarget,
} from '../temporal/temporal-target.js';
import { describeRun, type CliWorkflowMemo } from '../temporal/workflow-description.js';
import type { CommandContext } from './context.js';
import { loadActions } from './load-actions.js';
import { loadOrReport } from './load-or-report.js';

/** Options of `baton run` and `baton resume` that matter on Temporal. */
export interface TemporalRunFlags extends TemporalFlags {
  readonly runId?: string;
  /** false with `--no-worker`. */
  readonly worker?: boolean;
  readonly json?: boolean;
  readonly actions?: string[];
}

/** A query or signal gets no answer within this long: polling goes on, the user is told why. */
const RPC_TIMEOUT_MS = 5_000;

/** The CLI's own worker and its `run()`. */
interface LocalWorker {
  readonly worker: BatonWorker;
  readonly running: Promise<unknown>;
}

interface Session {
  readonly target: TemporalTarget;
  readonly workflow: TemporalGraphWorkflow;
  readonly taskQueue: string;
  /** The in-process worker and its `run()`, unless `--no-worker`. */
  readonly worker?: LocalWorker;
}

function graphWorkflow(
  pipeline: LoadedPipeline,
  target: TemporalTarget,
  taskQueue: string,
  memo: CliWorkflowMemo,
  graphOptions: GraphOption[],
): Result<TemporalGraphWorkflow, OrchestrationError> {
  return pipeline
    .graph(...graphOptions)
    .andThen((graph) =>
      createTemporalGraphWorkflow(
        graph,
        withTemporalConnection(target.connection, target.namespace),
        withWorkflowTaskQueue(taskQueue),
        withWorkflowMetadata({ [METADATA_KEY]: { ...memo } }),
        withTemporalRpcTimeout(RPC_TIMEOUT_MS),
      ),
    );
}

/** Starts the CLI's own worker on the task queue (unless `--no-worker`). */
async function startWorker(
  pipeline: LoadedPipeline,
  target: TemporalTarget,
  taskQueue: string,
  ctx: CommandContext,
): Promise<Result<LocalWorker, OrchestrationError>> {
  const created = await createPipelineWorker(pipeline, target, taskQueue, ctx.stderr);
  return created.map((worker) => ({
    worker,
    running: (async () => {
      const ran = await worker.run();
      if (ran.isErr())
        ctx.stderr.write(`baton: the in-process worker stopped: ${ran.error.message}\n`);
    })(),
  }));
}

async function closeSession(session: Session): Promise<void> {
  if (session.worker !== undefined) {
    await session.worker.worker.shutdown();
    await session.worker.running;
  }
  await session.workflow.close();
  await session.target.close();
}

function runInfo(
  pipeline: LoadedPipeline,
  runId: string,
  session: Session,
  resumed: boolean,
): RunInfo {
  const { target, taskQueue } = session;
  const namespace = target.namespace === 'default' ? '' : ` --namespace ${target.namespace}`;
  return {
    runId,
    pipeline: pipeline.name,
    tasks: pipeline.tasks,
    store: `Temporal ${target.address} (namespace ${target.namespace}, task queue ${taskQueue})`,
    resumed,
    reach: ` --temporal ${target.address}${namespace}`,
    resumable: false,
  };
}

function follow(
  pipeline: LoadedPipeline,
  info: RunInfo,
  session: Session,
  ctx: CommandContext,
  json: boolean | undefined,
): Promise<number> {
  const conditions = new Map(
    pipeline.pipeline.tasks.flatMap((t) => (t.when === undefined ? [] : [[t.id, t.when] as const])),
  );
  return followTemporalRun({
    workflow: session.workflow,
    info,
    conditions,
    reporter: reporterFor(ctx, json),
    noAnswer: `waiting: no worker answers on task queue ${session.taskQueue}; start one with baton worker ${pipeline.file} --temporal ${session.target.address} --task-queue ${session.taskQueue}`,
  });
}

/** `baton run <file> --temporal <address>`. */
export async function runOnTemporal(
  pipeline: LoadedPipeline,
  input: unknown,
  actionPaths: readonly string[],
  flags: TemporalRunFlags,
  maxWorkers: number | undefined,
  ctx: CommandContext,
): Promise<number> {
  const checked = checkFlags(flags);
  if (checked.isErr()) return ctx.fail(checked.error);
  const target = await openTarget(flags);
  if (target.isErr()) return ctx.fail(target.error);
  const taskQueue = flags.taskQueue ?? defaultTaskQueue(pipeline);
  const memo: CliWorkflowMemo = {
    file: pipeline.file,
    actions: [...actionPaths],
    tasks: pipeline.tasks,
    pipeline: pipeline.name,
    version: pipelineVersion(pipeline),
  };
  const options = maxWorkers === undefined ? [] : [withGraphMaxWorkers(maxWorkers)];
  const workflow = graphWorkflow(pipeline, target.value, taskQueue, memo, options);
  if (workflow.isErr()) {
    await target.value.close();
    return ctx.fail(workflow.error);
  }
  let session: Session = { target: target.value, workflow: workflow.value, taskQueue };
  try {
    if (flags.worker !== false) {
      const worker = await startWorker(pipeline, target.value, taskQueue, ctx);
      if (worker.isErr()) return ctx.fail(worker.error);
      session = { ...session, worker: worker.value };
    }
    const runId = flags.runId ?? newRunId();
    const started = await workflow.value.execute(input, { workflowId: runId });
    if (started.isErr()) {
      const running = (started.error.details as { reason?: unknown }).reason === 'already-started';
      if (!running) return ctx.fail(started.error);
      return ctx.fail(
        new OrchestrationError(
          'invalid_input',
          `--run-id ${runId}: a workflow with this id is running on ${target.value.address}; follow it with baton resume ${runId} --temporal ${target.value.address}, or pick another id`,
          { op: 'baton run', cause: started.error },
        ),
      );
    }
    return await follow(
      pipeline,
      runInfo(pipeline, runId, session, false),
      session,
      ctx,
      flags.json,
    );
  } finally {
    await closeSession(session);
  }
}

function ended(runId: string, state: string, flags: TemporalRunFlags): OrchestrationError {
  return new OrchestrationError(
    'invalid_state',
    `run ${runId} already ${state} on Temporal; a workflow that ended cannot continue: start a new one with baton run <file> --temporal ${flags.temporal ?? ''} (details: baton show ${runId} --temporal ${flags.temporal ?? ''})`,
    { op: 'baton resume' },
  );
}

/** `baton resume <runId> --temporal <address>`: follows a running workflow to its end. */
export async function resumeOnTemporal(
  runId: string,
  flags: TemporalRunFlags,
  ctx: CommandContext,
): Promise<number> {
  const checked = checkFlags(flags);
  if (checked.isErr()) return ctx.fail(checked.error);
  const target = await openTarget(flags);
  if (target.isErr()) return ctx.fail(target.error);
  let session: Session | undefined;
  try {
    const described = await describeRun(target.value, runId, 'baton resume');
    if (described.isErr()) return ctx.fail(described.error);
    const { memo, state, taskQueue } = described.value;
    if (memo === undefined)
      return ctx.fail(
        new OrchestrationError(
          'invalid_state',
          `workflow ${runId} was not started by baton run --temporal; follow it from code with createTemporalGraphWorkflow(...).getResult("${runId}")`,
          { op: 'baton resume' },
        ),
      );
    if (state === 'succeeded') {
      ctx.stdout.write(
        `run ${runId} already succeeded; nothing to resume (baton show ${runId} --temporal ${target.value.address})\n`,
      );
      return EXIT.ok;
    }
    if (state !== 'running') return ctx.fail(ended(runId, state, flags));
    const paths =
      flags.actions !== undefined && flags.actions.length > 0
        ? flags.actions.map((p) => resolve(p))
        : memo.actions;
    const { extensions, error } = await loadActions(paths);
    if (error !== undefined) return ctx.fail(error);
    const pipeline = await loadOrReport(memo.file, extensions, ctx);
    if (typeof pipeline === 'number') return pipeline;
    if (flags.worker !== false && pipelineVersion(pipeline) !== memo.version)
      return ctx.fail(
        new OrchestrationError(
          'invalid_state',
          `${memo.file} changed since run ${runId} started, so a worker built from it would run other tasks; restore the file, or follow the run with --no-worker while a worker of that version serves task queue ${taskQueue}`,
          { op: 'baton resume' },
        ),
      );
    const workflow = graphWorkflow(pipeline, target.value, taskQueue, memo, []);
    if (workflow.isErr()) return ctx.fail(workflow.error);
    session = { target: target.value, workflow: workflow.value, taskQueue };
    if (flags.worker !== false) {
      const worker = await startWorker(pipeline, target.value, taskQueue, ctx);
      if (worker.isErr()) return ctx.fail(worker.error);
      session = { ...session, worker: worker.value };
    }
    return await follow(
      pipeline,
      runInfo(pipeline, runId, session, true),
      session,
      ctx,
      flags.json,
    );
  } finally {
    if (session === undefined) await target.value.close();
    else await closeSession(session);
  }
}
