/**
 * One `--temporal` run as the CLI holds it: the graph workflow, the connection, and the worker
 * the CLI runs in-process unless `--no-worker`; how it is followed and closed.
 */
import type { OrchestrationError } from '@baton/core';
import type { GraphOption } from '@baton/graph';
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
import type { CommandContext } from '../commands/context.js';
import type { LoadedPipeline } from '../pipeline-session.js';
import { reporterFor } from '../reporter-for.js';
import type { RunInfo } from '../reporter.js';
import { METADATA_KEY } from '../run-metadata.js';
import { followTemporalRun } from './follow-temporal-run.js';
import { createPipelineWorker, type TemporalTarget } from './temporal-target.js';
import type { CliWorkflowMemo } from './workflow-description.js';

/** A query or signal gets no answer within this long: polling goes on, the user is told why. */
const RPC_TIMEOUT_MS = 5_000;

/** The CLI's own worker and its `run()`. */
interface LocalWorker {
  readonly worker: BatonWorker;
  readonly running: Promise<unknown>;
}

export interface Session {
  readonly target: TemporalTarget;
  readonly workflow: TemporalGraphWorkflow;
  readonly taskQueue: string;
  /** The in-process worker and its `run()`, unless `--no-worker`. */
  readonly worker?: LocalWorker;
}

export function graphWorkflow(
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
export async function startWorker(
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

export async function closeSession(session: Session): Promise<void> {
  if (session.worker !== undefined) {
    await session.worker.worker.shutdown();
    await session.worker.running;
  }
  await session.workflow.close(); // the connection is the target's, closed by withTarget
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

/** Follows run `runId` (resumed: re-attached to) to its end with the reporter `--json` picks. */
export function follow(
  pipeline: LoadedPipeline,
  run: { readonly runId: string; readonly resumed: boolean; readonly json?: boolean | undefined },
  session: Session,
  ctx: CommandContext,
): Promise<number> {
  const conditions = new Map(
    pipeline.pipeline.tasks.flatMap((t) => (t.when === undefined ? [] : [[t.id, t.when] as const])),
  );
  return followTemporalRun({
    workflow: session.workflow,
    info: runInfo(pipeline, run.runId, session, run.resumed),
    conditions,
    reporter: reporterFor(ctx, run.json),
    noAnswer: `waiting: no worker answers on task queue ${session.taskQueue}; start one with baton worker ${pipeline.file} --temporal ${session.target.address} --task-queue ${session.taskQueue}`,
  });
}
