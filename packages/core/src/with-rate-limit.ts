import { acquireRateLimit, type OnRateLimit } from './acquire-rate-limit.js';
import { BaseRunnable, execute } from './base-runnable.js';
import { OrchestrationError } from './errors.js';
import { readSettings, requireRunnable } from './internal/wrapper-config.js';
import { createRateLimiter, type RateLimiter, type RateLimitRequest } from './rate-limiter.js';
import type { ExecutionContext, Runnable } from './runnable.js';
import { showError, showValue } from './show-value.js';

/**
 * Settings of {@link withRateLimit}: either the budget (`requestsPerInterval`, `intervalMs`,
 * optionally `tokensPerInterval`), which gets the Runnable its own in-process limiter, or a
 * `limiter` shared with other Runnables (in process or on Redis).
 */
export interface RateLimitOptions<I = unknown, O = unknown> {
  /** Calls allowed in any window of `intervalMs` (with `intervalMs`, unless `limiter` is given). */
  readonly requestsPerInterval?: number;
  /** Length of the window in milliseconds. */
  readonly intervalMs?: number;
  /** Tokens allowed in any window of `intervalMs`. @default undefined (no token budget) */
  readonly tokensPerInterval?: number;
  /** A limiter to draw on instead of a new one (share it to share one quota). */
  readonly limiter?: RateLimiter;
  /** Tokens a call is expected to use, from its input. @default () => 0 */
  readonly cost?: (input: I) => number;
  /**
   * Tokens a call reported using, from its output (`undefined`: nothing reported). The
   * difference from `cost` is charged (or refunded) after the call.
   * @default undefined
   */
  readonly usage?: (output: O) => number | undefined;
  /**
   * `'wait'` queues the call (first come, first served; the caller's signal takes it out of the
   * line); `'fail'` fails it at once with `rate_limit_exceeded` (retryable,
   * `details.retryAfterMs`).
   * @default 'wait'
   */
  readonly onLimit?: OnRateLimit;
}

/** A Runnable whose calls draw on a rate limiter. */
export interface RateLimitedRunnable<I, O> extends Runnable<I, O> {
  /** The limiter its calls draw on. */
  readonly limiter: RateLimiter;
}

const ONE_CALL: RateLimitRequest = Object.freeze({ requests: 1, tokens: 0 });

class RateLimited<I, O> extends BaseRunnable<I, O> implements RateLimitedRunnable<I, O> {
  readonly name: string;

  constructor(
    private readonly inner: Runnable<I, O>,
    readonly limiter: RateLimiter,
    private readonly onLimit: OnRateLimit,
    private readonly cost: ((input: I) => number) | undefined,
    private readonly usage: ((output: O) => number | undefined) | undefined,
  ) {
    super();
    this.name = inner.name;
  }

  override run(input: I, ctx: ExecutionContext): Promise<O> {
    let tokens = 0;
    if (this.cost !== undefined) {
      try {
        tokens = this.#cost(input);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const request = tokens === 0 ? ONE_CALL : { requests: 1, tokens };
    const options = { signal: ctx.signal, onLimit: this.onLimit, op: this.name };
    const call = (): Promise<O> => execute(this.inner, input, ctx);
    const output = acquireRateLimit(this.limiter, request, options).then(call);
    return this.usage === undefined ? output : output.then((o) => this.#charge(o, tokens));
  }

  #cost(input: I): number {
    let tokens: unknown;
    try {
      tokens = (this.cost as (input: I) => number)(input);
    } catch (cause) {
      throw new OrchestrationError(
        'invalid_input',
        `${this.name}: the rate limit's cost function threw (${showError(cause)})`,
        { op: this.name, cause },
      );
    }
    if (typeof tokens !== 'number' || !Number.isFinite(tokens) || tokens < 0) {
      throw new OrchestrationError(
        'invalid_input',
        `${this.name}: the rate limit's cost function returned ${showValue(tokens)}; return a finite number of tokens >= 0`,
        { op: this.name, details: { cost: tokens } },
      );
    }
    return tokens;
  }

  async #charge(output: O, charged: number): Promise<O> {
    let used: unknown;
    try {
      used = (this.usage as (output: O) => number | undefined)(output);
    } catch (cause) {
      throw new OrchestrationError(
        'execution_failed',
        `${this.name}: the rate limit's usage function threw (${showError(cause)})`,
        { op: this.name, cause, retryable: false },
      );
    }
    if (used === undefined) return output;
    if (typeof used !== 'number' || !Number.isFinite(used) || used < 0) {
      throw new OrchestrationError(
        'execution_failed',
        `${this.name}: the rate limit's usage function returned ${showValue(used)}; return a finite number of tokens >= 0 or undefined`,
        { op: this.name, retryable: false, details: { usage: used } },
      );
    }
    if (used !== charged) {
      const adjusted = await this.limiter.adjust(used - charged);
      if (adjusted.isErr()) throw adjusted.error;
    }
    return output;
  }
}

function invalid(message: string, field: string, value?: unknown): OrchestrationError {
  return new OrchestrationError('invalid_config', `withRateLimit: ${message}`, {
    op: 'withRateLimit',
    details: { field, value },
  });
}

function checkFn(value: unknown, field: string, shape: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw invalid(`${field} must be a function ${shape}, got ${showValue(value)}`, field, value);
  }
}

/**
 * Limits how fast `runnable` is called: at most `requestsPerInterval` calls (and
 * `tokensPerInterval` tokens, from `cost(input)` and the reported `usage(output)`) in any window
 * of `intervalMs`, under invoke, batch and stream alike (each input of a batch is one call). Over
 * the budget a call waits in line (`onLimit: 'wait'`, the default) or fails with
 * `rate_limit_exceeded` (`'fail'`). Pass `limiter` to share one budget between Runnables or
 * processes. Invalid settings throw `invalid_config` naming the field.
 *
 * @example
 * const limited = withRateLimit(callModel, {
 *   requestsPerInterval: 60,
 *   intervalMs: 60_000,
 *   tokensPerInterval: 90_000,
 *   cost: (prompt: string) => Math.ceil(prompt.length / 4),
 * });
 */
export function withRateLimit<I, O>(
  runnable: Runnable<I, O>,
  options: RateLimitOptions<I, O>,
): RateLimitedRunnable<I, O> {
  requireRunnable(runnable, 'withRateLimit', 'runnable');
  const settings = readSettings(options, 'withRateLimit', 'options');
  const { limiter, cost, usage, onLimit = 'wait' } = settings;
  if (onLimit !== 'wait' && onLimit !== 'fail') {
    throw invalid(
      `onLimit must be 'wait' or 'fail', got ${showValue(onLimit)}`,
      'onLimit',
      onLimit,
    );
  }
  checkFn(cost, 'cost', '(input) => tokens');
  checkFn(usage, 'usage', '(output) => tokens | undefined');
  let chosen: RateLimiter;
  if (limiter !== undefined) {
    const l = limiter as Partial<RateLimiter> | null;
    if (typeof l !== 'object' || l === null || typeof l.tryAcquire !== 'function') {
      throw invalid(`limiter must be a RateLimiter, got ${showValue(limiter)}`, 'limiter', limiter);
    }
    chosen = limiter;
  } else {
    const { requestsPerInterval, intervalMs, tokensPerInterval } = settings;
    if (requestsPerInterval === undefined || intervalMs === undefined) {
      throw invalid(
        'give requestsPerInterval and intervalMs (e.g. { requestsPerInterval: 60, intervalMs: 60_000 }), or a shared limiter',
        requestsPerInterval === undefined ? 'requestsPerInterval' : 'intervalMs',
      );
    }
    try {
      chosen = createRateLimiter({
        name: runnable.name,
        requestsPerInterval,
        intervalMs,
        tokensPerInterval,
      });
    } catch (error) {
      throw invalid(showError(error).replace(/^createRateLimiter: /, ''), 'options', options);
    }
  }
  if (cost !== undefined && chosen.limits.tokensPerInterval === undefined) {
    throw invalid(
      'cost is given but the limiter has no token budget; set tokensPerInterval',
      'cost',
    );
  }
  return new RateLimited(runnable, chosen, onLimit, cost, usage);
}
