import {
  toOrchestrationError,
  type Chain,
  type ChainConfig,
  type ChainProvider,
  type HealthChecker,
  type HealthReport,
  type Hooks,
  type Memory,
  type RetryPolicy,
  type Runnable,
} from '@baton/core';
import {
  aggregateHealth,
  BaseRunnable,
  canceledError,
  createTelemetry,
  childPath,
  emitStepEnd,
  emitStepError,
  emitStepStart,
  execute,
  runWithRetry,
  recordRun,
  runWithHooks,
  tracedRun,
  tracedRunIsNoop,
  withDeadline,
  type ExecutionContext,
  type RetryInfo,
  type Telemetry,
  type TracedRunOptions,
} from '@baton/core/authoring';
import { ok } from 'neverthrow';
import {
  checkInputKeys,
  loadMemory,
  memoryError,
  pickOutputKeys,
  saveMemory,
} from './internal/chain-io.js';

function hasCheck(value: unknown): value is HealthChecker {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as HealthChecker).check === 'function'
  );
}

/** The chain of the `simple` provider: runs its steps one after another in-process. */
class SimpleChain<I, O> extends BaseRunnable<I, O> implements Chain<I, O> {
  readonly name: string;
  readonly description: string;
  readonly inputKeys: readonly string[];
  readonly outputKeys: readonly string[];
  readonly memory: Memory | undefined;
  readonly #steps: readonly Runnable[];
  readonly #config: Readonly<ChainConfig>;
  readonly #policy: RetryPolicy;
  readonly #telemetry: Telemetry;
  readonly #span: TracedRunOptions;
  readonly #stepSpans: readonly TracedRunOptions[];
  #active = 0;

  constructor(steps: readonly Runnable[], config: Readonly<ChainConfig>) {
    super();
    this.name = config.name;
    this.description = config.description;
    this.inputKeys = Object.freeze([...config.inputKeys]);
    this.outputKeys = Object.freeze([...config.outputKeys]);
    this.memory = config.memory;
    this.#steps = Object.freeze([...steps]);
    this.#config = config;
    this.#policy = config.retryPolicy;
    this.#telemetry = createTelemetry(config);
    this.#span = { kind: 'chain', name: this.name, spanName: 'baton.chain.invoke' };
    // Span options of first attempts are built once, so a run that does not retry allocates none.
    this.#stepSpans = this.#steps.map((_, index) => this.#stepSpan(index, 1));
  }

  #stepSpan(index: number, attempt: number): TracedRunOptions {
    return {
      kind: 'step',
      name: (this.#steps[index] as Runnable).name,
      spanName: 'baton.chain.step',
      attributes: {
        'baton.step.index': index,
        'baton.attempt': attempt,
        'baton.chain.name': this.name,
      },
      recordMetrics: false,
    };
  }

  /** The steps, in order, as Runnables. */
  get steps(): readonly Runnable[] {
    return this.#steps;
  }

  override run(input: I, ctx: ExecutionContext): Promise<O> {
    const config = this.#config;
    const hooks = config.hooks as Readonly<Hooks<I, O>> | undefined;
    // Fast path (no hooks, memory, chain timeout nor OTel SDK): one async frame runs the steps,
    // without tracedRun's closure and promise. Same outcome: failures are mapped to an
    // OrchestrationError named after the chain, as tracedRun does.
    if (
      hooks === undefined &&
      this.memory === undefined &&
      config.timeoutMs <= 0 &&
      tracedRunIsNoop(this.#telemetry, this.#span)
    ) {
      return recordRun(
        config.runStats,
        'chain',
        this.name,
        this.#runSteps(input, ctx, false, true),
      );
    }
    const done = tracedRun(this.#telemetry, this.#span, ctx, (inner, span) =>
      hooks === undefined
        ? this.#run(input, inner, span.isRecording())
        : runWithHooks(hooks, this.name, input, inner, (value) =>
            this.#run(value, inner, span.isRecording()),
          ),
    );
    return recordRun(config.runStats, 'chain', this.name, done);
  }

  /**
   * The chain deadline covers memory load, the steps and memory save. Save runs under its own
   * deadline (the time left) so that a timeout there still carries the output in its details.
   */
  async #run(input: I, ctx: ExecutionContext, traced: boolean): Promise<O> {
    const timeoutMs = this.#config.timeoutMs;
    const startedAt = timeoutMs > 0 ? Date.now() : 0;
    this.#active++;
    try {
      const output = await (timeoutMs > 0
        ? withDeadline(this.name, timeoutMs, ctx, (c) => this.#produce(input, c, traced))
        : this.#produce(input, ctx, traced));
      const memory = this.memory;
      if (memory === undefined) return output as O;
      const save = (c: ExecutionContext): Promise<void> =>
        saveMemory(this.name, memory, input as Record<string, unknown>, output, c);
      if (timeoutMs <= 0) await save(ctx);
      else {
        const left = Math.max(1, timeoutMs - (Date.now() - startedAt));
        const op = `${this.name} (memory save, within its ${timeoutMs} ms timeout)`;
        await withDeadline(op, left, ctx, save).catch((error: unknown) => {
          throw memoryError(this.name, 'save', error, { value: output });
        });
      }
      return output as O;
    } finally {
      this.#active--;
    }
  }

  /** Loads memory, then runs the steps (see `#runSteps`). */
  #produce(input: I, ctx: ExecutionContext, traced: boolean): Promise<unknown> {
    const memory = this.memory;
    if (memory === undefined) return this.#runSteps(input, ctx, traced, false);
    return loadMemory(this.name, memory, input, ctx).then((value) =>
      this.#runSteps(value, ctx, traced, false),
    );
  }

  /**
   * Checks input keys, runs the steps and picks the output keys. `standalone`: the whole run
   * (the fast path of `run`), which counts itself as active and maps its own failures.
   */
  async #runSteps(
    input: unknown,
    ctx: ExecutionContext,
    traced: boolean,
    standalone: boolean,
  ): Promise<O> {
    if (standalone) this.#active++;
    try {
      let value = input;
      if (this.inputKeys.length > 0) checkInputKeys(this.name, this.inputKeys, value);
      const steps = this.#steps;
      const signal = ctx.signal;
      for (let i = 0; i < steps.length; i++) {
        if (signal.aborted) throw canceledError(this.name, signal.reason);
        value = await this.#step(i, value, ctx, traced);
      }
      return (
        this.outputKeys.length > 0 ? pickOutputKeys(this.name, this.outputKeys, value) : value
      ) as O;
    } catch (error) {
      throw standalone ? toOrchestrationError(error, this.name) : error;
    } finally {
      if (standalone) this.#active--;
    }
  }

  /** Runs step `i` with its retries; emits its events under stream. */
  #step(i: number, input: unknown, ctx: ExecutionContext, traced: boolean): Promise<unknown> {
    const sink = ctx.sink;
    if (sink === undefined && this.#policy.maxAttempts === 1)
      return this.#attempt(i, 1, input, ctx, traced);
    return this.#stepWithEvents(i, input, ctx, traced);
  }

  async #stepWithEvents(
    i: number,
    input: unknown,
    ctx: ExecutionContext,
    traced: boolean,
  ): Promise<unknown> {
    const step = this.#steps[i] as Runnable;
    const sink = ctx.sink;
    const path = sink === undefined ? ctx.path : childPath(ctx, step.name);
    const stepCtx = sink === undefined ? ctx : { ...ctx, path };
    let started = 0;
    const attempt = (n: number, c: ExecutionContext): Promise<unknown> => {
      if (sink !== undefined) {
        const at = emitStepStart(sink, c.runId, step.name, path, i, n);
        if (n === 1) started = at;
      }
      return this.#attempt(i, n, input, c, traced);
    };
    try {
      const output = await runWithRetry(this.#policy, step.name, stepCtx, attempt, (info) =>
        this.#retrying(i, info),
      );
      if (sink !== undefined) emitStepEnd(sink, ctx.runId, step.name, path, output, started, i);
      return output;
    } catch (error) {
      const e = toOrchestrationError(error, step.name);
      emitStepError(ctx, step.name, e, path);
      throw e;
    }
  }

  /** Logs a retry of step `i` (`runWithRetry` emits `step-retry` under stream). */
  #retrying(i: number, info: RetryInfo): void {
    const step = (this.#steps[i] as Runnable).name;
    const { attempt, delayMs, error } = info;
    this.#telemetry.logger.warn('chain step failed; retrying', {
      chain: this.name,
      step,
      index: i,
      attempt,
      delayMs,
      code: error.code,
    });
  }

  /** One attempt of step `i`: a child span (when tracing records) around `#call`. */
  #attempt(
    i: number,
    n: number,
    input: unknown,
    ctx: ExecutionContext,
    traced: boolean,
  ): Promise<unknown> {
    if (!traced) return this.#call(i, input, ctx);
    const span = n === 1 ? (this.#stepSpans[i] as TracedRunOptions) : this.#stepSpan(i, n);
    return tracedRun(this.#telemetry, span, ctx, (c) => this.#call(i, input, c));
  }

  // Hot path: no closure is created per step unless a step timeout is set.
  #call(i: number, input: unknown, ctx: ExecutionContext): Promise<unknown> {
    const step = this.#steps[i] as Runnable;
    const timeoutMs = this.#config.stepTimeoutMs;
    if (timeoutMs <= 0) return execute(step, input, ctx);
    return withDeadline(`${this.name}/${step.name}`, timeoutMs, ctx, (d) =>
      execute(step, input, d),
    );
  }

  async check(): Promise<HealthReport> {
    const parts: HealthChecker[] = [];
    for (const step of this.#steps) if (hasCheck(step)) parts.push(step);
    if (hasCheck(this.memory)) parts.push(this.memory);
    return aggregateHealth(`chain:${this.name}`, parts, {
      details: {
        description: this.description,
        provider: this.#config.provider,
        steps: this.#steps.map((s) => s.name),
        memory: this.memory !== undefined,
        activeRuns: this.#active,
      },
    });
  }
}

/**
 * The built-in `simple` provider: an in-process chain. Retries apply per step (a failure in step
 * 3 re-runs step 3 only); the chain timeout covers memory load, every step and memory save.
 */
export const simpleChainProvider: ChainProvider = Object.freeze({
  createChain: (steps: readonly Runnable[], config: Readonly<ChainConfig>) =>
    ok(new SimpleChain<unknown, unknown>(steps, config)),
});
