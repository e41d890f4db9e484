import {
  OrchestrationError,
  toOrchestrationError,
  type AnyRunnable,
  type Router,
} from '@baton/core';
import { showValue } from '@baton/core/authoring';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { err, ok, type Result } from 'neverthrow';
import type { NodeCall } from '../workflow/graph-wire.js';
import { checkNodeCall, finishNodeCall } from './node-call.js';

/**
 * An activity function as the Temporal worker registers it. The graph interpreter passes a
 * second argument (the node it runs) and gets `{ output, picks }` back.
 */
export type RunnableActivity = (input: unknown, call?: NodeCall) => Promise<unknown>;

/** Runnables to register: by name (the record's keys) or as a list (each Runnable's `name`). */
export type RunnableActivities = Readonly<Record<string, AnyRunnable>> | readonly AnyRunnable[];

/** How the activities behave. */
export interface RunnableActivityOptions {
  /** How often a running Runnable heartbeats, in ms. @default 1000 */
  readonly heartbeatIntervalMs?: number;
  /** Routers of graph nodes, by the name the GraphSpec records. @default none */
  readonly routers?: ReadonlyMap<string, Router<never>>;
  /**
   * Fingerprints of the graphs this worker serves. When not empty, a node call for another
   * fingerprint fails (not retried): the worker runs a different version of the graph.
   * @default none (not checked)
   */
  readonly fingerprints?: ReadonlySet<string>;
}

/** `details` as JSON can carry them: Temporal payloads are JSON. */
function jsonSafe(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
  } catch {
    return {};
  }
}

/**
 * Our error as the failure Temporal records: `type` is the error code (so the client maps it back
 * to the same code) and `nonRetryable` is `!error.retryable`, so Temporal's retry policy retries
 * exactly what Baton would.
 */
export function toApplicationFailure(error: OrchestrationError): ApplicationFailure {
  return ApplicationFailure.create({
    message: error.message,
    type: error.code,
    nonRetryable: !error.retryable,
    details: [jsonSafe({ op: error.op, details: error.details })],
  });
}

/** Why the activity was canceled: the SDK aborts the signal with a CancelledFailure. */
function cancellation(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledFailure('activity canceled');
}

/** Rejects with the signal's reason once it aborts. */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort = (): void => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(cancellation(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {}); // raced below; an unobserved rejection is not a bug here
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * Wraps a Runnable as a Temporal activity: it runs `runnable.invoke(input)` with the activity's
 * cancellation as the run's AbortSignal, heartbeats while it runs, returns the output, and turns
 * an `Err` into an {@link ApplicationFailure} (see {@link toApplicationFailure}). A canceled
 * activity completes as canceled even if the Runnable ignores its signal.
 */
export function runnableActivity(
  runnable: AnyRunnable,
  options: RunnableActivityOptions = {},
): RunnableActivity {
  const interval = options.heartbeatIntervalMs ?? 1_000;
  return async (input: unknown, call?: NodeCall) => {
    const router = call === undefined ? undefined : checkNodeCall(call, runnable.name, options);
    const ctx = Context.current();
    const signal = ctx.cancellationSignal;
    ctx.heartbeat();
    const timer = setInterval(() => ctx.heartbeat(), interval);
    const aborted = whenAborted(signal);
    try {
      const { info } = ctx;
      const result = await Promise.race([
        (
          runnable as { invoke(i: unknown, o: object): PromiseLike<Result<unknown, unknown>> }
        ).invoke(input, {
          signal,
          metadata: {
            temporal: {
              workflowId: info.workflowExecution?.workflowId,
              runId: info.workflowExecution?.runId,
              activityId: info.activityId,
              attempt: info.attempt,
            },
          },
        }),
        aborted.promise,
      ]);
      if (result.isOk())
        return call === undefined ? result.value : await finishNodeCall(call, result.value, router);
      if (signal.aborted) throw cancellation(signal);
      throw toApplicationFailure(toOrchestrationError(result.error, runnable.name));
    } finally {
      clearInterval(timer);
      aborted.dispose();
    }
  };
}

/**
 * The activities of `runnables`, by name. A name given twice or a value that is not a Runnable
 * fails with `invalid_config`.
 *
 * @example
 * const activities = createBatonActivities([summarize, translate]);
 * if (activities.isErr()) throw activities.error; // invalid_config naming the bad entry
 * // Worker.create({ ..., activities: activities.value }) in your own worker
 */
export function createBatonActivities(
  runnables: RunnableActivities,
  options: RunnableActivityOptions = {},
): Result<Record<string, RunnableActivity>, OrchestrationError> {
  const op = 'createBatonActivities';
  let entries: [string, unknown][];
  try {
    entries = Array.isArray(runnables)
      ? (runnables as unknown[]).map((r) => [nameOf(r), r])
      : Object.entries(runnables as object);
  } catch (cause) {
    return err(
      new OrchestrationError('invalid_config', `${op}: activities could not be read`, {
        op,
        cause,
      }),
    );
  }
  const activities: Record<string, RunnableActivity> = {};
  for (const [name, value] of entries) {
    if (!isRunnable(value) || name.trim() === '') {
      return err(
        new OrchestrationError(
          'invalid_config',
          `${op}: activity "${name}" is ${showValue(value)}, expected a named Runnable (an object with name and invoke)`,
          { op, details: { field: 'activities', name } },
        ),
      );
    }
    if (Object.hasOwn(activities, name)) {
      return err(
        new OrchestrationError(
          'invalid_config',
          `${op}: two Runnables are named "${name}"; activity names must be unique (pass a record to name them)`,
          { op, details: { field: 'activities', name } },
        ),
      );
    }
    activities[name] = runnableActivity(value, options);
  }
  return ok(activities);
}

function nameOf(value: unknown): string {
  try {
    const name = (value as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}

function isRunnable(value: unknown): value is AnyRunnable {
  try {
    return (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as AnyRunnable).invoke === 'function'
    );
  } catch {
    return false;
  }
}
