/**
 * `baton run --temporal` and `baton resume --temporal`: the pipeline runs as Baton's `batonGraph`
 * interpreter workflow; by default the CLI also serves the pipeline's actions with a worker of
 * its own for as long as it follows the run.
 */
import { resolve } from 'node:path';
import { OrchestrationError } from '@baton/core';
import { newRunId } from '@baton/core/authoring';
import { withGraphMaxWorkers } from '@baton/graph';
import { EXIT } from '../exit-codes.js';
import type { LoadedPipeline } from '../pipeline-session.js';
import {
  closeSession,
  follow,
  graphWorkflow,
  startWorker,
  type Session,
} from '../temporal/temporal-session.js';
import {
  defaultTaskQueue,
  pipelineVersion,
  withTarget,
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
  /** Does not apply on Temporal (the run's state is there); said so when given. */
  readonly store?: string;
  readonly maxWorkers?: string;
}

/** Flags of an in-process run that a run on Temporal does not use. */
function unused(flags: TemporalRunFlags, ctx: CommandContext, resuming: boolean): void {
  const given = [
    ...(flags.store === undefined ? [] : ['--store']),
    ...(resuming && flags.maxWorkers !== undefined ? ['--max-workers'] : []),
  ];
  if (given.length > 0)
    ctx.stderr.write(
      `baton: ${given.join(' and ')} ${given.length > 1 ? 'do' : 'does'} not apply with --temporal (the run's state is on Temporal); ignored\n`,
    );
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
  unused(flags, ctx, false);
  return withTarget(flags, ctx, (target) =>
    startAndFollow(pipeline, input, actionPaths, flags, maxWorkers, target, ctx),
  );
}

async function startAndFollow(
  pipeline: LoadedPipeline,
  input: unknown,
  actionPaths: readonly string[],
  flags: TemporalRunFlags,
  maxWorkers: number | undefined,
  target: TemporalTarget,
  ctx: CommandContext,
): Promise<number> {
  const taskQueue = flags.taskQueue ?? defaultTaskQueue(pipeline);
  const memo: CliWorkflowMemo = {
    file: pipeline.file,
    actions: [...actionPaths],
    tasks: pipeline.tasks,
    pipeline: pipeline.name,
    version: pipelineVersion(pipeline),
  };
  const options = maxWorkers === undefined ? [] : [withGraphMaxWorkers(maxWorkers)];
  const workflow = graphWorkflow(pipeline, target, taskQueue, memo, options);
  if (workflow.isErr()) return ctx.fail(workflow.error);
  let session: Session = { target, workflow: workflow.value, taskQueue };
  try {
    if (flags.worker !== false) {
      const worker = await startWorker(pipeline, target, taskQueue, ctx);
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
          `--run-id ${runId}: a workflow with this id is running on ${target.address}; follow it with baton resume ${runId} --temporal ${target.address}, or pick another id`,
          { op: 'baton run', cause: started.error },
        ),
      );
    }
    return await follow(pipeline, { runId, resumed: false, json: flags.json }, session, ctx);
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
  unused(flags, ctx, true);
  return withTarget(flags, ctx, (target) => reattach(runId, flags, target, ctx));
}

async function reattach(
  runId: string,
  flags: TemporalRunFlags,
  target: TemporalTarget,
  ctx: CommandContext,
): Promise<number> {
  let session: Session | undefined;
  try {
    const described = await describeRun(target, runId, 'baton resume');
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
        `run ${runId} already succeeded; nothing to resume (baton show ${runId} --temporal ${target.address})\n`,
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
    const workflow = graphWorkflow(pipeline, target, taskQueue, memo, []);
    if (workflow.isErr()) return ctx.fail(workflow.error);
    session = { target, workflow: workflow.value, taskQueue };
    if (flags.worker !== false) {
      const worker = await startWorker(pipeline, target, taskQueue, ctx);
      if (worker.isErr()) return ctx.fail(worker.error);
      session = { ...session, worker: worker.value };
    }
    return await follow(pipeline, { runId, resumed: true, json: flags.json }, session, ctx);
  } finally {
    if (session !== undefined) await closeSession(session);
  }
}
