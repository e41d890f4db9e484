import type { Result } from 'neverthrow';
import type { OrchestrationError } from './errors.js';
import type { HealthChecker } from './health.js';
import type { Memory } from './memory.js';
import type { Runnable } from './runnable.js';
import type { TelemetryOptions } from './telemetry.js';
import type { Hooks } from './hooks.js';
import type { RunStatsConfig } from './run-stats.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * A sequential composition: each step's output is the next step's input (implemented in
 * `@baton/chain`). With memory, remembered values are loaded before the first step and the
 * exchange is saved after the last.
 */
export interface Chain<I = unknown, O = unknown> extends Runnable<I, O>, HealthChecker {
  readonly description: string;
  /** Keys the input (merged with memory) must have; empty means not checked. */
  readonly inputKeys: readonly string[];
  /** Keys picked from the last step's output; empty means the whole output. */
  readonly outputKeys: readonly string[];
  readonly memory: Memory | undefined;
}

/** Settings of a chain, set with `withChain*` options. */
export interface ChainConfig extends TelemetryOptions, RunStatsConfig {
  /**
   * Name used in errors, events, spans and metrics.
   * @default 'chain'
   */
  readonly name: string;
  /** @default '' */
  readonly description: string;
  /**
   * Deadline of a whole run (memory load, every step, memory save) in ms; 0 means none.
   * @default 0
   */
  readonly timeoutMs: number;
  /**
   * Deadline of each attempt of each step in ms; 0 means none.
   * @default 0
   */
  readonly stepTimeoutMs: number;
  /**
   * Retries of a failed step after its first attempt; 0 runs each step once.
   * @default 0
   */
  readonly retries: number;
  /**
   * Backoff and which errors are retried. Its `maxAttempts` is always `retries + 1`.
   * @default DEFAULT_RETRY_POLICY
   */
  readonly retryPolicy: RetryPolicy;
  /** @default undefined (no memory) */
  readonly memory: Memory | undefined;
  /** @default [] */
  readonly inputKeys: readonly string[];
  /** @default [] */
  readonly outputKeys: readonly string[];
  /**
   * Name of the chain provider in the registry.
   * @default 'simple'
   */
  readonly provider: string;
  /**
   * Code run around each run of the chain (see `Hooks`).
   * @default undefined (none)
   */
  readonly hooks?: Readonly<Hooks> | undefined;
}

/** Builds chains; registered under a name in a chain registry. */
export interface ChainProvider {
  /** `steps` are already Runnables; `config` is validated and frozen. */
  createChain(
    steps: readonly Runnable[],
    config: Readonly<ChainConfig>,
  ): Result<Chain, OrchestrationError>;
}
