import type { Context } from '@opentelemetry/api';
import type { Result, ResultAsync } from 'neverthrow';
import type { Observable } from 'rxjs';
import type { OrchestrationError } from './errors.js';
import type { RunEvent, StepEvent } from './run-event.js';

/** Options of one run. */
export interface RunOptions {
  /** Aborting it cancels the run (`task_canceled`); running steps see their signal fire. */
  readonly signal?: AbortSignal;
  /**
   * Deadline for the whole run in milliseconds; exceeding it fails with `timeout`. `0` means no
   * deadline, as for every timeout option of Baton.
   */
  readonly timeoutMs?: number;
  /** Id of the run; a UUID is generated when absent. */
  readonly runId?: string;
  /** Free-form values every step sees in `ctx.metadata`. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /**
   * Settings every step sees in `ctx.configurable` (LangChain's `configurable`: a model name, a
   * thread id, a user...).
   * @default {}
   */
  readonly configurable?: Readonly<Record<string, unknown>>;
  /**
   * Labels every step sees in `ctx.tags` (LangChain's `tags`).
   * @default []
   */
  readonly tags?: readonly string[];
  /**
   * The step this run is started from: pass the step function's `ctx`. The run is nested in the
   * step's run (a graph run started this way counts as nested: it gets its own workers when it
   * runs its own graph, and a resumed parent continues it) and is canceled with the step (its
   * `signal`, unless `signal` is given too). Without it a run is a top-level run, also when it
   * gets the step's signal.
   *
   * @example
   * runnable('again', async (n: number, ctx) => graph.invoke(n - 1, { parent: ctx }));
   */
  readonly parent?: ParentStep;
}

/**
 * Opaque token of the run a step belongs to (for authors of runners). A runner that nests runs
 * (a graph run, one token per node execution) puts it in the contexts of the steps it runs;
 * composites pass it on with the context; only the runner that made it reads the rest of it.
 */
export interface EnclosingRun {
  /**
   * `false` while the context is passed down through the run's own steps (a graph as a node, in
   * a sequence, ...); `true` in a run started from a step with `RunOptions.parent`, which core
   * marks by a shallow copy (so tokens are plain objects).
   */
  readonly called: boolean;
}

/** What a run started from inside a step takes from it: a step function's `ctx` fits. */
export interface ParentStep {
  readonly signal: AbortSignal;
  /** The run the step belongs to, if a runner set one. */
  readonly enclosing: EnclosingRun | undefined;
}

/** Options of a batch; `timeoutMs` applies to each input's run. */
export interface BatchOptions extends RunOptions {
  /**
   * How many inputs run at once.
   * @default Infinity
   */
  readonly maxConcurrency?: number;
}

/**
 * One protocol for every component: an LLM call, a retriever, a function, a chain, a graph.
 * Every method behaves the same way: invoke, batch and stream run the same code.
 */
export interface Runnable<I = unknown, O = unknown> {
  readonly name: string;
  /** Runs once. Never rejects: failures are an `Err` holding an OrchestrationError. */
  invoke(input: I, options?: RunOptions): ResultAsync<O, OrchestrationError>;
  /** Runs every input, keeping order; the first failure aborts the rest and is returned. */
  batch(inputs: readonly I[], options?: BatchOptions): ResultAsync<O[], OrchestrationError>;
  /** Runs every input, keeping order, and returns one Result per input. */
  batchSettled(
    inputs: readonly I[],
    options?: BatchOptions,
  ): ResultAsync<Result<O, OrchestrationError>[], OrchestrationError>;
  /**
   * A cold Observable of the run's events: subscribing starts a run, unsubscribing aborts it.
   * A failed run emits `step-error`, then errors with the OrchestrationError.
   */
  stream(input: I, options?: RunOptions): Observable<RunEvent<O>>;
}

/** The input type of a Runnable. */
export type InputOf<R> = R extends Runnable<infer I> ? I : never;
/** The output type of a Runnable. */
export type OutputOf<R> = R extends Runnable<never, infer O> ? O : never;

/** What a step function sees besides its input. Pass it as `parent` to runs it starts. */
export interface StepContext extends ParentStep {
  /** Fires when the run is canceled, times out or its stream is unsubscribed. */
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The run's `configurable` settings (`{}` when none were given). */
  readonly configurable: Readonly<Record<string, unknown>>;
  /** The run's tags (`[]` when none were given). */
  readonly tags: readonly string[];
  /** Sends a `chunk` event to stream subscribers (a no-op under invoke). */
  emit(chunk: unknown): void;
  /**
   * Human in the loop, in a graph node with a checkpointer: asks for an answer. The first call
   * throws (do not catch it): the run stops once its running nodes settle, is stored as
   * `interrupted` with `payload`, and `graph.resume(runId, { answers })` runs the node again,
   * when this call returns the answer. Outside a graph node it throws `invalid_state`.
   *
   * @example
   * runnable('approve', (draft: string, ctx) => {
   *   const ok = ctx.interrupt<boolean>({ question: 'publish?', draft });
   *   return ok ? draft : 'rejected';
   * });
   */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the answer's type: it comes from outside the program
  interrupt<A = unknown>(payload: unknown): A;
}

/** Receives the events of a streamed run. */
export type EventSink = (event: StepEvent) => void;

/**
 * The engine-level context passed between Runnables inside one run (for authors of Runnables;
 * users call `invoke`, `batch`, `stream`).
 */
export interface ExecutionContext {
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The run's `configurable`; absent means `{}`. Composites pass it on unchanged. */
  readonly configurable?: Readonly<Record<string, unknown>> | undefined;
  /** The run's tags; absent means `[]`. Composites pass them on unchanged. */
  readonly tags?: readonly string[] | undefined;
  /** Present only when the run is streamed. */
  readonly sink: EventSink | undefined;
  /**
   * Path of the running step in the streamed run (see `RunEvent`'s `path`): `[]` for the run
   * itself; a composite running a child passes `[...path, child.name]`. Kept up to date only
   * while `sink` is set (nobody reads it otherwise, so unstreamed runs build no arrays).
   */
  readonly path: readonly string[];
  /** The run this one is nested in (see {@link EnclosingRun}); copied by composites. */
  readonly enclosing: EnclosingRun | undefined;
  /** OpenTelemetry context of the enclosing span, passed explicitly (no AsyncLocalStorage). */
  readonly otel: Context;
  /**
   * What `StepContext.interrupt` calls: set by a graph run for each node execution and copied
   * by composites; absent outside graph nodes.
   */
  readonly interrupt?: ((payload: unknown) => unknown) | undefined;
}
