import { OrchestrationError } from './errors.js';
import type { ExecutionContext } from './runnable.js';
import { childController, raceAbort } from './abort.js';
import { MAX_TIMER_MS } from './internal/wrapper-config.js';

/**
 * Runs `fn` with a child signal that aborts after `ms` with a `timeout` error; the run settles as
 * soon as the deadline passes even when `fn` ignores its signal. Leaves no timer behind. `ms` 0
 * means no deadline (`fn` runs under `ctx` as is).
 *
 * @example
 * return withDeadline(`${this.name}/${step.name}`, stepTimeoutMs, ctx, (c) => execute(step, input, c));
 */
export function withDeadline<T>(
  op: string,
  ms: number,
  ctx: ExecutionContext,
  fn: (ctx: ExecutionContext) => Promise<T>,
): Promise<T> {
  if (ms === 0) {
    try {
      return fn(ctx);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  const { controller, dispose } = childController(ctx.signal);
  // setTimeout fires at once beyond 2^31 - 1 ms; a deadline that far away is no deadline.
  const timer =
    ms > MAX_TIMER_MS
      ? undefined
      : setTimeout(() => {
          controller.abort(
            new OrchestrationError('timeout', `${op} timed out after ${ms} ms`, {
              op,
              details: { timeoutMs: ms },
            }),
          );
        }, ms);
  const inner: ExecutionContext = { ...ctx, signal: controller.signal };
  let promise: Promise<T>;
  try {
    promise = fn(inner);
  } catch (error) {
    promise = Promise.reject(error);
  }
  return raceAbort(promise, controller.signal, op).finally(() => {
    clearTimeout(timer);
    dispose();
  });
}
