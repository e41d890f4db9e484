import type { Result } from 'neverthrow';
import { z } from 'zod';
import { BaseRunnable, execute } from './base-runnable.js';
import { isCancellation, OrchestrationError, toOrchestrationError } from './errors.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { abortError, sleep } from './abort.js';
import { trackOutput, type OutputTracker } from './step-events.js';
import {
  fromOverrides,
  MAX_TIMER_MS,
  readSettings,
  requireRunnable,
  unwrapConfig,
} from './internal/wrapper-config.js';
import { resolveOptions } from './options.js';
import type { ExecutionContext, Runnable } from './runnable.js';

const finiteMs = z.number().min(0).max(MAX_TIMER_MS);

const policySchema = z.object({
  maxAttempts: z.number().int().min(1),
  initialDelayMs: finiteMs,
  maxDelayMs: finiteMs,
  multiplier: z.number().min(1),
  jitter: z.number().min(0).max(1),
  retryOn: z.custom<RetryPolicy['retryOn']>((value) => typeof value === 'function', {
    message: 'expected a function (error, attempt) => boolean',
  }),
}) as z.ZodType<RetryPolicy>;

/**
 * Builds a RetryPolicy from the defaults and `overrides`, validated once.
 * An invalid field fails with `invalid_config` naming the field and its value.
 *
 * @example
 * const policy = retryPolicy({ maxAttempts: 5, initialDelayMs: 50 });
 * if (policy.isErr()) console.error(policy.error.message); // names the bad field
 */
export function retryPolicy(
  overrides: Partial<RetryPolicy> = {},
): Result<RetryPolicy, OrchestrationError> {
  return resolveOptions(
    DEFAULT_RETRY_POLICY,
    [fromOverrides(overrides)],
    policySchema,
    'retryPolicy',
  );
}

/**
 * The delay after failed attempt `attempt` (1-based): `initialDelayMs * multiplier^(attempt-1)`,
 * capped at `maxDelayMs`, then reduced by up to `jitter` of itself.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** exponent);
  const delay = base * (1 - policy.jitter * random());
  return Math.max(0, Math.round(delay));
}

/** What `onRetry` hears before each delay. */
export interface RetryInfo {
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  readonly error: OrchestrationError;
  readonly delayMs: number;
}

function exhausted(op: string, attempts: number, last: OrchestrationError): OrchestrationError {
  return new OrchestrationError(
    'max_retries_exceeded',
    `${op} failed after ${attempts} attempts; last error: ${last.message}`,
    { op, cause: last, details: { attempts, lastCode: last.code } },
  );
}

/**
 * The retry loop of Baton (`withRetry`, chain steps and graph nodes all run on it). Calls
 * `attempt` until it succeeds, the error is not retryable (rethrown as is) or the attempts run
 * out (`max_retries_exceeded` with the last error as cause; with `maxAttempts: 1` the error
 * itself). Delays abort with `ctx.signal` and leave no timer behind.
 *
 * Under stream (`ctx.sink` set) each attempt gets a context that notices its chunks: an attempt
 * that already sent a chunk to the subscriber is not retried (its error is rethrown), and before
 * each delay a `step-retry` event named `op` goes out. `onRetry` hears every retry (for logs).
 *
 * @example
 * const value = await runWithRetry(policy, step.name, ctx, (n, c) => execute(step, input, c));
 */
export async function runWithRetry<T>(
  policy: RetryPolicy,
  op: string,
  ctx: ExecutionContext,
  attempt: (attempt: number, ctx: ExecutionContext) => Promise<T>,
  onRetry?: (info: RetryInfo) => void,
): Promise<T> {
  const signal = ctx.signal;
  const sink = ctx.sink;
  let tracker: OutputTracker | undefined;
  for (let n = 1; ; n++) {
    if (signal.aborted) throw abortError(signal, op);
    try {
      if (sink === undefined) return await attempt(n, ctx);
      tracker = trackOutput(ctx);
      return await attempt(n, tracker.ctx);
    } catch (thrown) {
      const error = toOrchestrationError(thrown, op);
      if (signal.aborted) throw abortError(signal, op);
      if (isCancellation(error) || tracker?.started() === true || !policy.retryOn(error, n)) {
        throw error;
      }
      if (n >= policy.maxAttempts) throw n > 1 ? exhausted(op, n, error) : error;
      const delayMs = Math.max(backoffDelay(policy, n), waitAsked(error, policy));
      const info: RetryInfo = { attempt: n, error, delayMs };
      onRetry?.(info);
      sink?.({
        type: 'step-retry',
        runId: ctx.runId,
        step: op,
        path: ctx.path,
        timestamp: Date.now(),
        ...info,
      });
      await sleep(delayMs, signal, op);
    }
  }
}

/**
 * The wait a `rate_limit_exceeded` error asks for (`details.retryAfterMs`), capped by the
 * policy's `maxDelayMs`: retrying sooner would only be refused again.
 */
function waitAsked(error: OrchestrationError, policy: RetryPolicy): number {
  if (error.code !== 'rate_limit_exceeded') return 0;
  const asked = error.details.retryAfterMs;
  return typeof asked === 'number' && asked > 0 ? Math.min(asked, policy.maxDelayMs) : 0;
}

class Retrying<I, O> extends BaseRunnable<I, O> {
  readonly name: string;

  constructor(
    readonly inner: Runnable<I, O>,
    readonly policy: RetryPolicy,
  ) {
    super();
    this.name = inner.name;
  }

  override run(input: I, ctx: ExecutionContext): Promise<O> {
    return runWithRetry(this.policy, this.name, ctx, (_n, c) => execute(this.inner, input, c));
  }
}

/**
 * Retries `runnable` with exponential backoff and jitter. Only retryable errors are retried
 * (`isRetryable` by default; cancellation never). After the last attempt fails the run fails with
 * `max_retries_exceeded`, its cause the last error. Under `stream`, each retry emits `step-retry`,
 * and an attempt that already emitted a chunk is not retried. Invalid policy fields throw
 * `invalid_config` here.
 *
 * @example
 * const robust = withRetry(callModel, { maxAttempts: 4, initialDelayMs: 200 });
 */
export function withRetry<I, O>(
  runnable: Runnable<I, O>,
  policy: Partial<RetryPolicy> = {},
): Runnable<I, O> {
  requireRunnable(runnable, 'withRetry', 'runnable');
  const settings = readSettings(policy, 'withRetry', 'policy');
  return new Retrying(runnable, unwrapConfig(retryPolicy(settings)));
}
