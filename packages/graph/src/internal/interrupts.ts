import { OrchestrationError } from '@baton/core';
import type { ExecutionContext } from '@baton/core/authoring';
import type { NodeExecution, RunScope } from './run-scope.js';

/** The error of a run (or node) that stopped for answers: `details.interrupts` by key. */
export function interruptedError(
  op: string,
  interrupts: Readonly<Record<string, unknown>>,
): OrchestrationError {
  const keys = Object.keys(interrupts)
    .map((k) => `"${k}"`)
    .join(', ');
  return new OrchestrationError(
    'invalid_state',
    `${op}: interrupted, waiting for answers to ${keys}; continue with graph.resume(runId, { answers: { [key]: answer } })`,
    { op, retryable: false, details: { reason: 'interrupted', interrupts } },
  );
}

/** The interrupts of an error made by {@link interruptedError}, else `undefined`. */
export function interruptsOf(error: unknown): Readonly<Record<string, unknown>> | undefined {
  if (!(error instanceof Error)) return undefined;
  const details = (error as Partial<OrchestrationError>).details;
  if (details?.reason !== 'interrupted') return undefined;
  const interrupts = details.interrupts;
  return typeof interrupts === 'object' && interrupts !== null
    ? (interrupts as Readonly<Record<string, unknown>>)
    : undefined;
}

/**
 * The `interrupt` of a node execution's context, for key `key` of run `scope`: returns the
 * answer when the resume gave one; otherwise records the question on `task`, emits
 * `step-interrupt` and throws (the run then stops once its running nodes settle).
 */
export function interruptAt(
  scope: RunScope,
  key: string,
  task: NodeExecution,
  ctx: Pick<ExecutionContext, 'sink' | 'runId' | 'path'>,
  op: string,
): (payload: unknown) => unknown {
  return (payload) => {
    const answers = scope.answers;
    if (Object.hasOwn(answers, key)) return answers[key];
    if (scope.store === undefined) {
      throw new OrchestrationError(
        'invalid_state',
        `${op}: node "${key}" called ctx.interrupt, which needs a checkpointed run to resume; create the graph withGraphCheckpointer(store)`,
        { op, retryable: false, details: { reason: 'no-checkpointer', node: key } },
      );
    }
    task.ask(key, payload);
    const sink = ctx.sink;
    if (sink !== undefined) {
      const step = ctx.path[ctx.path.length - 1] ?? key;
      sink({
        type: 'step-interrupt',
        runId: ctx.runId,
        step,
        path: ctx.path,
        key: scope.keyPrefix + key,
        payload,
        timestamp: Date.now(),
      });
    }
    throw interruptedError(op, { [key]: payload });
  };
}
