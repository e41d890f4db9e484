import type { ExecuteWorkflowOptions, Workflow } from '@baton/core';
import { errAsync } from 'neverthrow';
import type { RunTracker } from './run-tracker.js';

/** What the Orchestrator closes at shutdown: workflows that own a connection. */
export interface Closable {
  close(): Promise<void>;
}

/** True when `value` has a `close()` method (a Temporal workflow does). */
export function isClosable(value: unknown): value is Closable {
  try {
    return typeof (value as { close?: unknown } | null)?.close === 'function';
  } catch {
    return false;
  }
}

/**
 * A workflow counted by the Orchestrator: an execution it started is active until its result
 * arrives (the Orchestrator waits for it in the background), or until shutdown stops watching.
 * `execute` fails with `invalid_state` after shutdown; the other methods reach executions that
 * live on the server, so they keep working until the workflow's connection is closed.
 */
export function trackWorkflow<I, O>(
  inner: Workflow<I, O>,
  tracker: RunTracker,
  stopped: () => boolean,
): Workflow<I, O> {
  return {
    get name() {
      return inner.name;
    },
    get description() {
      return inner.description;
    },
    execute(input: I, options?: ExecuteWorkflowOptions) {
      const refused = tracker.refusal(`${inner.name}.execute`);
      if (refused) return errAsync(refused);
      return inner.execute(input, options).map((execution) => {
        const end = tracker.begin('workflow');
        void inner.getResult(execution.workflowId, execution.runId).then(
          (result) => end(result.isErr() && !stopped()),
          () => end(!stopped()),
        );
        return execution;
      });
    },
    getResult: (workflowId, runId) => inner.getResult(workflowId, runId),
    signal: (workflowId, runId, name, payload) => inner.signal(workflowId, runId, name, payload),
    query: (workflowId, runId, name, ...args) => inner.query(workflowId, runId, name, ...args),
    cancel: (workflowId, runId) => inner.cancel(workflowId, runId),
    terminate: (workflowId, runId, reason) => inner.terminate(workflowId, runId, reason),
    check: () => inner.check(),
  };
}
