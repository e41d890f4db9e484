import { BaseRunnable, execute } from './base-runnable.js';
import { OrchestrationError } from './errors.js';
import { withDeadline } from './with-deadline.js';
import { MAX_TIMER_MS, requireRunnable } from './internal/wrapper-config.js';
import { showValue } from './show-value.js';
import type { ExecutionContext, Runnable } from './runnable.js';

class TimeLimited<I, O> extends BaseRunnable<I, O> {
  readonly name: string;

  constructor(
    private readonly inner: Runnable<I, O>,
    private readonly timeoutMs: number,
  ) {
    super();
    this.name = inner.name;
  }

  override run(input: I, ctx: ExecutionContext): Promise<O> {
    return withDeadline(this.name, this.timeoutMs, ctx, (inner) =>
      execute(this.inner, input, inner),
    );
  }
}

/**
 * Fails a run of `runnable` that takes longer than `timeoutMs` with a `timeout` error (retryable,
 * so `withRetry(withTimeout(r, ms))` retries slow attempts). The step's signal fires at the
 * deadline; the run settles then even if the step ignores its signal. `timeoutMs` 0 means no
 * timeout (the runnable is returned as is), as everywhere in Baton. A `timeoutMs` that is not a
 * number in [0, 2^31 - 1] throws `invalid_config`.
 *
 * @example
 * const bounded = withTimeout(callModel, 30_000);
 */
export function withTimeout<I, O>(runnable: Runnable<I, O>, timeoutMs: number): Runnable<I, O> {
  requireRunnable(runnable, 'withTimeout', 'runnable');
  if (!(typeof timeoutMs === 'number' && timeoutMs >= 0 && timeoutMs <= MAX_TIMER_MS)) {
    throw new OrchestrationError(
      'invalid_config',
      `withTimeout: timeoutMs must be a number of milliseconds in [0, ${MAX_TIMER_MS}] (0: no timeout), got ${showValue(timeoutMs)}`,
      { op: 'withTimeout', details: { field: 'timeoutMs', value: timeoutMs } },
    );
  }
  return timeoutMs === 0 ? runnable : new TimeLimited(runnable, timeoutMs);
}
