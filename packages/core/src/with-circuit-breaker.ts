import { z } from 'zod';
import { BaseRunnable, execute } from './base-runnable.js';
import { isCancellation, OrchestrationError, toOrchestrationError } from './errors.js';
import { healthReport, type HealthChecker, type HealthReport } from './health.js';
import {
  fromOverrides,
  readSettings,
  requireRunnable,
  unwrapConfig,
} from './internal/wrapper-config.js';
import { resolveOptions } from './options.js';
import type { ExecutionContext, Runnable } from './runnable.js';

/** `closed` lets calls through, `open` rejects them, `half-open` lets a few trial calls through. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /**
   * Consecutive failures that open the circuit.
   * @default 5
   */
  readonly failureThreshold: number;
  /**
   * How long the circuit stays open before letting trial calls through, in milliseconds.
   * @default 30_000
   */
  readonly resetTimeoutMs: number;
  /**
   * Trial calls allowed at once while half-open; that many successes close the circuit, and any
   * failure opens it again.
   * @default 1
   */
  readonly halfOpenMaxCalls: number;
  /**
   * Which errors count as failures. Cancellation never counts.
   * @default () => true
   */
  readonly isFailure: (error: OrchestrationError) => boolean;
  /**
   * The clock, in milliseconds (inject one for deterministic tests).
   * @default Date.now
   */
  readonly now: () => number;
}

/** A Runnable guarded by a circuit breaker, with its state and a health check. */
export interface CircuitBreakerRunnable<I, O> extends Runnable<I, O>, HealthChecker {
  /** The current state (an open circuit whose reset timeout passed reads `half-open`). */
  state(): CircuitState;
  /** `healthy` when closed, `degraded` when half-open, `unhealthy` when open. */
  check(): Promise<HealthReport>;
}

const DEFAULTS: CircuitBreakerOptions = {
  failureThreshold: 5,
  resetTimeoutMs: 30_000,
  halfOpenMaxCalls: 1,
  isFailure: () => true,
  now: Date.now,
};

const fn = <T>(what: string) =>
  z.custom<T>((value) => typeof value === 'function', { message: `expected a function ${what}` });

const schema = z.object({
  failureThreshold: z.number().int().min(1),
  resetTimeoutMs: z.number().min(0),
  halfOpenMaxCalls: z.number().int().min(1),
  isFailure: fn<CircuitBreakerOptions['isFailure']>('(error) => boolean'),
  now: fn<CircuitBreakerOptions['now']>('() => number'),
}) as z.ZodType<CircuitBreakerOptions>;

class CircuitBreaker<I, O> extends BaseRunnable<I, O> implements CircuitBreakerRunnable<I, O> {
  readonly name: string;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trials = 0;
  #trialSuccesses = 0;
  /** Bumped each time the circuit opens, so a trial from an earlier half-open period is stale. */
  #generation = 0;

  constructor(
    private readonly inner: Runnable<I, O>,
    private readonly options: CircuitBreakerOptions,
  ) {
    super();
    this.name = inner.name;
  }

  state(): CircuitState {
    if (this.#state === 'open' && this.#resetDue()) return 'half-open';
    return this.#state;
  }

  check(): Promise<HealthReport> {
    const state = this.state();
    const status = state === 'closed' ? 'healthy' : state === 'open' ? 'unhealthy' : 'degraded';
    return Promise.resolve(
      healthReport(`circuit-breaker:${this.name}`, status, {
        state,
        consecutiveFailures: this.#failures,
        ...(state === 'closed' ? {} : { openedAt: this.#openedAt }),
      }),
    );
  }

  override async run(input: I, ctx: ExecutionContext): Promise<O> {
    const admitted = this.#admit();
    const generation = this.#generation;
    // A trial that outlived its half-open period (the circuit opened again meanwhile) no longer
    // holds one of the current period's trial slots.
    const trial = (): boolean => admitted && generation === this.#generation;
    try {
      const output = await execute(this.inner, input, ctx);
      this.#onSuccess(trial());
      return output;
    } catch (error) {
      const e = toOrchestrationError(error, this.name);
      if (isCancellation(e) || !this.options.isFailure(e)) {
        if (trial()) this.#trials -= 1;
      } else {
        this.#onFailure(trial());
      }
      throw e;
    }
  }

  #resetDue(): boolean {
    return this.options.now() - this.#openedAt >= this.options.resetTimeoutMs;
  }

  /** Lets the call through (returns whether it is a half-open trial) or throws `circuit_breaker_open`. */
  #admit(): boolean {
    if (this.#state === 'open' && this.#resetDue()) {
      this.#state = 'half-open';
      this.#trials = 0;
      this.#trialSuccesses = 0;
    }
    if (this.#state === 'closed') return false;
    if (this.#state === 'half-open' && this.#trials < this.options.halfOpenMaxCalls) {
      this.#trials += 1;
      return true;
    }
    const retryAfterMs = Math.max(
      0,
      this.#openedAt + this.options.resetTimeoutMs - this.options.now(),
    );
    const why =
      this.#state === 'open'
        ? `the circuit is open after repeated failures; calls are rejected for about ${retryAfterMs} ms more`
        : `the circuit is half-open and its ${this.options.halfOpenMaxCalls} trial call(s) are in flight; try again shortly`;
    throw new OrchestrationError('circuit_breaker_open', `${this.name}: ${why}`, {
      op: this.name,
      details: { state: this.#state, retryAfterMs },
    });
  }

  #onSuccess(trial: boolean): void {
    if (!trial) {
      if (this.#state === 'closed') this.#failures = 0;
      return;
    }
    if (this.#state !== 'half-open') return;
    this.#trials -= 1;
    this.#trialSuccesses += 1;
    if (this.#trialSuccesses >= this.options.halfOpenMaxCalls) {
      this.#state = 'closed';
      this.#failures = 0;
    }
  }

  #onFailure(trial: boolean): void {
    if (trial) {
      if (this.#state === 'half-open') this.#open();
      return;
    }
    if (this.#state !== 'closed') return;
    this.#failures += 1;
    if (this.#failures >= this.options.failureThreshold) this.#open();
  }

  #open(): void {
    this.#state = 'open';
    this.#generation += 1;
    this.#openedAt = this.options.now();
    this.#trials = 0;
    this.#trialSuccesses = 0;
  }
}

/**
 * Guards `runnable` with a circuit breaker. After `failureThreshold` consecutive failures the
 * circuit opens: calls fail at once with `circuit_breaker_open` without running `runnable`. After
 * `resetTimeoutMs` it is half-open: up to `halfOpenMaxCalls` trial calls run; that many successes
 * close it, a failure opens it again. Invalid options throw `invalid_config` naming the field.
 *
 * @example
 * const guarded = withCircuitBreaker(callModel, { failureThreshold: 3, resetTimeoutMs: 10_000 });
 * guarded.state(); // 'closed'
 */
export function withCircuitBreaker<I, O>(
  runnable: Runnable<I, O>,
  options: Partial<CircuitBreakerOptions> = {},
): CircuitBreakerRunnable<I, O> {
  requireRunnable(runnable, 'withCircuitBreaker', 'runnable');
  const settings = readSettings(options, 'withCircuitBreaker', 'options');
  const config = unwrapConfig(
    resolveOptions(DEFAULTS, [fromOverrides(settings)], schema, 'withCircuitBreaker'),
  );
  return new CircuitBreaker(runnable, config);
}
