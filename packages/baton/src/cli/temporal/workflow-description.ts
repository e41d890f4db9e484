/**
 * What the CLI reads back from a pipeline's workflow on Temporal: the memo `baton run` wrote
 * (the file, its actions modules and version) and the execution's status.
 */
import { OrchestrationError } from '@baton/core';
import { fromTemporalError } from '@baton/workflow-temporal';
import { err, ok, type Result } from 'neverthrow';
import { METADATA_KEY, type CliRunMetadata } from '../run-metadata.js';
import type { TemporalTarget } from './temporal-target.js';

/** The memo of a workflow started by `baton run --temporal`. */
export interface CliWorkflowMemo extends CliRunMetadata {
  /** `pipelineVersion` of the file the run was started from. */
  readonly version: string;
}

/** Where a workflow stands, in the CLI's words. */
type WorkflowState = 'running' | 'succeeded' | 'failed' | 'canceled' | 'terminated' | 'timed out';

/** What `describe` says about a workflow the CLI started. */
export interface DescribedRun {
  readonly state: WorkflowState;
  readonly taskQueue: string;
  readonly startedAt: Date;
  readonly endedAt?: Date;
  /** Undefined for a workflow not started by `baton run --temporal`. */
  readonly memo?: CliWorkflowMemo;
}

const STATES: Record<string, WorkflowState> = {
  RUNNING: 'running',
  CONTINUED_AS_NEW: 'running',
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'canceled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed out',
};

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

function readMemo(memo: Record<string, unknown> | undefined): CliWorkflowMemo | undefined {
  const raw = memo?.[METADATA_KEY] as Partial<CliWorkflowMemo> | undefined;
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { file, actions, tasks, pipeline, version } = raw;
  if (typeof file !== 'string' || typeof pipeline !== 'string' || typeof version !== 'string')
    return undefined;
  if (!isStrings(actions) || !isStrings(tasks)) return undefined;
  return { file, actions, tasks, pipeline, version };
}

/** Describes workflow `runId`: `not_found` naming the server when there is none. */
export async function describeRun(
  target: TemporalTarget,
  runId: string,
  op: string,
): Promise<Result<DescribedRun, OrchestrationError>> {
  try {
    const d = await target.connection.withDeadline(Date.now() + 10_000, () =>
      target.client.workflow.getHandle(runId).describe(),
    );
    return ok({
      state: STATES[d.status.name] ?? 'running',
      taskQueue: d.taskQueue,
      startedAt: d.startTime,
      ...(d.closeTime === undefined ? {} : { endedAt: d.closeTime }),
      ...(readMemo(d.memo) === undefined ? {} : { memo: readMemo(d.memo) }),
    } as DescribedRun);
  } catch (error) {
    const mapped = fromTemporalError(error, op);
    return err(
      mapped.code === 'not_found'
        ? new OrchestrationError(
            'not_found',
            `no workflow ${runId} in namespace ${target.namespace} on ${target.address}`,
            { op, cause: error },
          )
        : mapped,
    );
  }
}
