import { context as otelContext } from '@opentelemetry/api';
import { err, errAsync, ok, ResultAsync, type Err, type Ok, type Result } from 'neverthrow';
import { Observable } from 'rxjs';
import { canceledError, OrchestrationError, toOrchestrationError } from './errors.js';
import { childController, NEVER_SIGNAL, raceAbort } from './abort.js';
import { newRunId } from './run-id.js';
import type { RunEvent, StepEvent } from './run-event.js';
import type {
  BatchOptions,
  EnclosingRun,
  EventSink,
  ExecutionContext,
  Runnable,
  RunOptions,
} from './runnable.js';
import { withDeadline } from './with-deadline.js';
import { runBatch } from './internal/run-batch.js';
import { checkRunOptions } from './check-run-options.js';
import { invokeForeign, streamForeign } from './internal/foreign-runnable.js';

/** `ok` for one argument (`then` passes one). */
const okValue = <O>(value: O): Ok<O, OrchestrationError> => ok(value);
/** The options of an `invoke` without any: one object, not one per call. */
const NO_OPTIONS: RunOptions = Object.freeze({});
export const EMPTY_METADATA: Readonly<Record<string, unknown>> = Object.freeze({});
/** The path of a run's own Runnable (see `RunEvent`'s `path`). */
const ROOT_PATH: readonly string[] = Object.freeze([]);
const RUN = Symbol.for('baton.runnable.run');
/** Key of `BaseRunnable`'s settle-to-Result hook (core-internal: the symbol is not exported from the package). */
export const SETTLED = Symbol('baton.runnable.settled');
const reportedErrors = new WeakSet<object>();
/** Failures a run absorbed, by the sink of the stream whose `run-end` carries them. */
const absorbedFailures = new WeakMap<EventSink, Readonly<Record<string, OrchestrationError>>>();

/**
 * Emits `step-error` for step `step` at `path` (see `RunEvent`), once per error: marks the error
 * as reported, so enclosing steps and the stream do not report it again.
 */
export function emitStepError(
  ctx: ExecutionContext,
  step: string,
  error: OrchestrationError,
  path: readonly string[],
): void {
  if (ctx.sink === undefined || reportedErrors.has(error)) return;
  reportedErrors.add(error);
  ctx.sink({ type: 'step-error', runId: ctx.runId, step, path, error, timestamp: Date.now() });
}

/**
 * Reports the failures a streamed run absorbed (nodes that failed without failing the run), for
 * its `run-end` event. A run reports once, when it ends; the last report for a sink wins, so an
 * enclosing run (ending after the runs nested in it) reports for itself. An empty record clears.
 */
export function reportRunFailures(
  ctx: ExecutionContext,
  failures: Readonly<Record<string, OrchestrationError>>,
): void {
  const sink = ctx.sink;
  if (sink === undefined) return;
  let any = false;
  for (const _ in failures) {
    any = true;
    break;
  }
  if (any) absorbedFailures.set(sink, failures);
  else absorbedFailures.delete(sink);
}

/** Takes the failures reported for `sink` (see `reportRunFailures`). */
export function takeRunFailures(
  sink: EventSink,
): Readonly<Record<string, OrchestrationError>> | undefined {
  const failures = absorbedFailures.get(sink);
  if (failures !== undefined) absorbedFailures.delete(sink);
  return failures;
}

/**
 * Base of every Baton Runnable: subclasses implement `run` once and get `invoke`, `batch`,
 * `batchSettled` and `stream` with identical behaviour.
 */
export abstract class BaseRunnable<I, O> implements Runnable<I, O> {
  abstract readonly name: string;
  readonly [RUN] = true;

  /**
   * Does the work. Rejects with an OrchestrationError (or anything, which is mapped to one).
   * Must stop promptly when `ctx.signal` aborts.
   */
  abstract run(input: I, ctx: ExecutionContext): Promise<O>;

  /** Maps a failed run to its `Err`: one function per Runnable, not one per `invoke`. */
  #failed: ((error: unknown) => Err<never, OrchestrationError>) | undefined;

  invoke(input: I, options: RunOptions = NO_OPTIONS): ResultAsync<O, OrchestrationError> {
    // Fast path of an `invoke` without options (no signal, timeout, parent or run id to honour):
    // the run settles straight to its Result (see `settled`).
    if (options === NO_OPTIONS) return new ResultAsync(this[SETTLED](input));
    return new ResultAsync(this.#start(input, options, undefined).then(okValue<O>, this.#fail()));
  }

  /** Maps a failed run to its `Err` (made once per Runnable). */
  #fail(): (error: unknown) => Err<never, OrchestrationError> {
    return (this.#failed ??= (error: unknown) => err(toOrchestrationError(error, this.name)));
  }

  /**
   * Runs a top-level run without options (see `bareContext`) and settles to its Result: `run`
   * mapped to `Ok`/`Err`. A subclass whose runs often finish synchronously overrides it to skip
   * that extra promise (`runnable` does). Not public API: core's own hook, under a symbol that the
   * package does not export.
   */
  [SETTLED](input: I): Promise<Result<O, OrchestrationError>> {
    let promise: Promise<O>;
    try {
      promise = this.run(input, bareContext(newRunId()));
    } catch (error) {
      return Promise.resolve(err(toOrchestrationError(error, this.name)));
    }
    return promise.then(okValue<O>, this.#fail());
  }

  batch(inputs: readonly I[], options: BatchOptions = {}): ResultAsync<O[], OrchestrationError> {
    return this.#settle(inputs, options, false).andThen((results) => {
      const out: O[] = [];
      for (const r of results) {
        if (r.isErr()) return err(r.error);
        out.push(r.value);
      }
      return ok(out);
    });
  }

  batchSettled(
    inputs: readonly I[],
    options: BatchOptions = {},
  ): ResultAsync<Result<O, OrchestrationError>[], OrchestrationError> {
    return this.#settle(inputs, options, true);
  }

  #settle(
    inputs: readonly I[],
    options: BatchOptions,
    settled: boolean,
  ): ResultAsync<Result<O, OrchestrationError>[], OrchestrationError> {
    // Options that shape the batch fail it as a whole; the others fail each input's run.
    const invalid = checkRunOptions(options, `${this.name}.batch`, true);
    if (invalid) return errAsync(invalid);
    return new ResultAsync(
      runBatch(this.name, inputs, options, settled, (input, runOptions) =>
        this.#start(input, runOptions, undefined),
      ).then(
        (results) => ok(results),
        (error: unknown) => err(toOrchestrationError(error, `${this.name}.batch`)),
      ),
    );
  }

  stream(input: I, options: RunOptions = {}): Observable<RunEvent<O>> {
    return new Observable<RunEvent<O>>((subscriber) => {
      // Bad options fail the run like any failure (step-error, then the error), from safe defaults.
      const invalid = checkRunOptions(options, this.name);
      const usable: RunOptions = invalid === undefined ? options : {};
      const { controller, dispose } = childController(
        usable.signal ?? usable.parent?.signal ?? NEVER_SIGNAL,
      );
      const runId = usable.runId ?? newRunId();
      const started = Date.now();
      const sink: EventSink = (event: StepEvent) => {
        if (event.type === 'step-error') reportedErrors.add(event.error);
        subscriber.next(event);
      };
      subscriber.next({ type: 'run-start', runId, name: this.name, timestamp: started });
      // Once the run settled, unsubscribing (which rxjs also does after complete and error)
      // aborts nothing: as under invoke, a finished run's signal never fires.
      let settled = false;
      const run =
        invalid === undefined
          ? this.#start(input, { ...usable, signal: controller.signal, runId }, sink, true)
          : Promise.reject(invalid);
      run.then(
        (output) => {
          settled = true;
          const now = Date.now();
          const failures = takeRunFailures(sink);
          subscriber.next({
            type: 'run-end',
            runId,
            name: this.name,
            output,
            durationMs: now - started,
            timestamp: now,
            ...(failures === undefined ? {} : { failures }),
          });
          subscriber.complete();
        },
        (error: unknown) => {
          settled = true;
          const e = toOrchestrationError(error, this.name);
          if (!reportedErrors.has(e)) {
            reportedErrors.add(e);
            subscriber.next({
              type: 'step-error',
              runId,
              step: this.name,
              path: ROOT_PATH,
              error: e,
              timestamp: Date.now(),
            });
          }
          subscriber.error(e);
        },
      );
      return () => {
        dispose();
        if (!settled && !controller.signal.aborted) {
          controller.abort(canceledError(this.name, 'the stream was unsubscribed'));
        }
      };
    });
  }

  /** Starts a top-level run: validates options, builds the context, applies the deadline. */
  #start(input: I, options: RunOptions, sink: EventSink | undefined, scoped = false): Promise<O> {
    const invalid = options === NO_OPTIONS ? undefined : checkRunOptions(options, this.name);
    if (invalid) return Promise.reject(invalid);
    const parent = options.parent;
    const signal = options.signal ?? parent?.signal ?? NEVER_SIGNAL;
    if (signal.aborted) return Promise.reject(canceledError(this.name, signal.reason));
    // The caller's signal may outlive many runs (a server's shutdown signal): steps get a child
    // scoped to this run, so listeners they leave behind go away with the run.
    const scope = scoped || signal === NEVER_SIGNAL ? undefined : childController(signal);
    const ctx: ExecutionContext = {
      signal: scope === undefined ? signal : scope.controller.signal,
      runId: options.runId ?? newRunId(),
      metadata: options.metadata ?? EMPTY_METADATA,
      configurable: options.configurable,
      tags: options.tags,
      sink,
      path: ROOT_PATH,
      enclosing: parent === undefined ? undefined : calledFrom(parent.enclosing),
      otel: otelContext.active(),
    };
    let promise: Promise<O>;
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      promise = withDeadline(this.name, options.timeoutMs, ctx, (inner) => this.run(input, inner));
    } else {
      try {
        promise = this.run(input, ctx);
      } catch (error) {
        promise = Promise.reject(toOrchestrationError(error, this.name));
      }
    }
    return scope === undefined ? promise : promise.finally(scope.dispose);
  }
}

/**
 * The context of a top-level run started without options: what `#start` builds for `{}` (no
 * signal, no timeout, no parent), in the same shape.
 */
export function bareContext(runId: string): ExecutionContext {
  return {
    signal: NEVER_SIGNAL,
    runId,
    metadata: EMPTY_METADATA,
    configurable: undefined,
    tags: undefined,
    sink: undefined,
    path: ROOT_PATH,
    enclosing: undefined,
    otel: otelContext.active(),
  };
}

/** The enclosing run of a run started from a step with `RunOptions.parent` (see EnclosingRun). */
function calledFrom(enclosing: EnclosingRun | undefined): EnclosingRun | undefined {
  if (enclosing === undefined || enclosing.called) return enclosing;
  return { ...enclosing, called: true };
}

/** True for Runnables built on BaseRunnable (which can be run without a Result per step). */
export function isBaseRunnable(value: unknown): value is BaseRunnable<unknown, unknown> {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[RUN] === true
  );
}

/**
 * Runs `runnable` inside an existing run (for composite Runnables). Baton Runnables run directly;
 * any other Runnable goes through `stream` when the run is streamed (its chunks and step events
 * reach `ctx.sink`), else `invoke`.
 */
export function execute<I, O>(
  runnable: Runnable<I, O>,
  input: I,
  ctx: ExecutionContext,
): Promise<O> {
  if (isBaseRunnable(runnable)) {
    try {
      return (runnable as unknown as BaseRunnable<I, O>).run(input, ctx);
    } catch (error) {
      return Promise.reject(toOrchestrationError(error, runnable.name));
    }
  }
  const options: RunOptions = {
    signal: ctx.signal,
    runId: ctx.runId,
    metadata: ctx.metadata,
    ...(ctx.configurable === undefined ? {} : { configurable: ctx.configurable }),
    ...(ctx.tags === undefined ? {} : { tags: ctx.tags }),
  };
  const promise =
    ctx.sink === undefined
      ? invokeForeign(runnable, input, options)
      : streamForeign(runnable, input, options, ctx.sink, ctx.path);
  return raceAbort(promise, ctx.signal, runnable.name);
}
