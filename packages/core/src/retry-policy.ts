/**
 * What a retry policy is and its defaults, apart from the retry loop (`with-retry.ts`) so that
 * code reading a policy's defaults (pipeline validation) loads no Runnable machinery.
 */
import { isRetryable, type OrchestrationError } from './errors.js';

/** When and how often to try again. */
export interface RetryPolicy {
  /**
   * Total attempts including the first.
   * @default 3
   */
  readonly maxAttempts: number;
  /**
   * Delay after the first failed attempt, in milliseconds.
   * @default 100
   */
  readonly initialDelayMs: number;
  /**
   * Upper bound of any delay, in milliseconds (jitter never exceeds it).
   * @default 10_000
   */
  readonly maxDelayMs: number;
  /**
   * Each delay is the previous one times this factor.
   * @default 2
   */
  readonly multiplier: number;
  /**
   * Fraction of the delay randomized, 0..1: a delay `d` becomes a value in `[d * (1 - jitter), d]`.
   * @default 0.2
   */
  readonly jitter: number;
  /**
   * Whether to retry after `error` on attempt `attempt` (1-based). Cancellation is never retried,
   * whatever this returns.
   * @default (error) => isRetryable(error)
   */
  readonly retryOn: (error: OrchestrationError, attempt: number) => boolean;
}

/** The defaults of every field of RetryPolicy. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  multiplier: 2,
  jitter: 0.2,
  retryOn: (error: OrchestrationError) => isRetryable(error),
});
