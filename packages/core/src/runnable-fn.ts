import { err, ok, type Err, type Ok, type Result } from 'neverthrow';
import { bareContext, BaseRunnable, EMPTY_METADATA, execute, SETTLED } from './base-runnable.js';
import { newRunId } from './run-id.js';
import { OrchestrationError, toOrchestrationError } from './errors.js';
import { NEVER_SIGNAL, raceAbort } from './abort.js';
import type { ExecutionContext, Runnable, StepContext } from './runnable.js';
import { isResult } from './is-result.js';
import { isRunnable } from './is-runnable.js';

type Collected<C> = C extends string ? string : C[];

type SyncOutput<R> =
  R extends Result<infer T, unknown>
    ? T
    : R extends Runnable<never, infer O>
      ? O
      : R extends AsyncIterable<infer C>
        ? Collected<C>
        : R extends IterableIterator<infer C>
          ? Collected<C>
          : R;

/**
 * The output type of a step function: promises are awaited, Results unwrapped, a returned
 * Runnable run, async iterables and sync iterators (generators) collected (strings concatenated,
 * anything else into an array).
 */
export type FnOutput<R> = R extends PromiseLike<infer P> ? SyncOutput<P> : SyncOutput<R>;

/** A function that can become a Runnable. */
export type StepFunction<I, R> = (input: I, ctx: StepContext) => R;

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function'
  );
}

/**
 * A sync iterator such as a generator object: `next` plus `Symbol.iterator`, LangChain's
 * `isIterableIterator` rule. Strings (primitives), arrays, Maps and Sets have no `next`: values.
 */
function isIterableIterator(value: unknown): value is IterableIterator<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[Symbol.iterator] === 'function' &&
    typeof (value as { next?: unknown }).next === 'function'
  );
}

/** Whether a produced value needs more than returning it (await, unwrap, run, collect). */
function needsSettling(value: unknown): boolean {
  return (
    isThenable(value) ||
    isResult(value) ||
    isAsyncIterable(value) ||
    isIterableIterator(value) ||
    isRunnable(value)
  );
}

/** `ok` for one argument (`then` passes one). */
const okValue = <O>(value: O): Ok<O, OrchestrationError> => ok(value);
const EMPTY_CONFIGURABLE: Readonly<Record<string, unknown>> = Object.freeze({});
const NO_TAGS: readonly string[] = Object.freeze([]);

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

class FnRunnable<I, R> extends BaseRunnable<I, FnOutput<R>> {
  constructor(
    readonly name: string,
    private readonly fn: StepFunction<I, R>,
  ) {
    super();
  }

  override run(input: I, ctx: ExecutionContext): Promise<FnOutput<R>> {
    const stepContext = this.#stepContext(ctx);
    let produced: unknown;
    try {
      produced = this.fn(input, stepContext);
    } catch (error) {
      return Promise.reject(toOrchestrationError(error, this.name));
    }
    if (!needsSettling(produced)) return Promise.resolve(produced as FnOutput<R>);
    return this.#settleProduced(produced, input, ctx, stepContext);
  }

  /**
   * Perf: `invoke` without options. The step context is built directly (no execution context
   * unless the function's value needs settling) and a value returned synchronously becomes its
   * `Ok` at once, without a promise for `run`.
   */
  override [SETTLED](input: I): Promise<Result<FnOutput<R>, OrchestrationError>> {
    const runId = newRunId();
    // The fields and order of `#stepContext(bareContext(runId))`.
    const stepContext: StepContext = {
      signal: NEVER_SIGNAL,
      runId,
      metadata: EMPTY_METADATA,
      enclosing: undefined,
      configurable: EMPTY_CONFIGURABLE,
      tags: NO_TAGS,
      emit: noop,
      interrupt: noInterrupt,
    };
    let produced: unknown;
    try {
      produced = this.fn(input, stepContext);
    } catch (error) {
      return Promise.resolve(err(toOrchestrationError(error, this.name)));
    }
    if (!needsSettling(produced)) return Promise.resolve(ok(produced as FnOutput<R>));
    const ctx = bareContext(runId);
    return this.#settleProduced(produced, input, ctx, stepContext).then(okValue, this.#failed);
  }

  #stepContext(ctx: ExecutionContext): StepContext {
    const sink = ctx.sink;
    const name = this.name;
    return {
      signal: ctx.signal,
      runId: ctx.runId,
      metadata: ctx.metadata,
      enclosing: ctx.enclosing,
      configurable: ctx.configurable ?? EMPTY_CONFIGURABLE,
      tags: ctx.tags ?? NO_TAGS,
      emit: sink
        ? (chunk: unknown) =>
            sink({
              type: 'chunk',
              runId: ctx.runId,
              step: name,
              path: ctx.path,
              chunk,
              timestamp: Date.now(),
            })
        : noop,
      interrupt: (ctx.interrupt ?? noInterrupt) as StepContext['interrupt'],
    };
  }

  /** Settles what the step function produced when that takes more than returning it. */
  #settleProduced(
    produced: unknown,
    input: I,
    ctx: ExecutionContext,
    stepContext: StepContext,
  ): Promise<FnOutput<R>> {
    // Perf: a plain Promise (the common async step) settles through one reaction, without the
    // async frame of `settle` (a generator object and a promise kept per pending step).
    const settled = (
      produced instanceof Promise
        ? produced.then((value: unknown) => this.unwrap(value, input, ctx, stepContext), this.#fail)
        : this.settle(produced, input, ctx, stepContext)
    ) as Promise<FnOutput<R>>;
    return raceAbort(settled, ctx.signal, this.name);
  }

  /** Maps a failed settle to its `Err` (the error is an OrchestrationError already). */
  readonly #failed = (error: unknown): Err<never, OrchestrationError> =>
    err(toOrchestrationError(error, this.name));

  /** Maps a rejection of the step's promise to an OrchestrationError (one closure per step). */
  readonly #fail = (error: unknown): never => {
    throw toOrchestrationError(error, this.name);
  };

  /**
   * What an awaited value becomes: a Result unwrapped, a returned Runnable run, an iterable
   * collected as chunks.
   */
  private unwrap(value: unknown, input: I, execution: ExecutionContext, ctx: StepContext): unknown {
    if (isResult(value)) {
      if (value.isErr()) throw toOrchestrationError(value.error, this.name);
      return value.isOk() ? value.value : undefined;
    }
    // Like LangChain's RunnableLambda: a returned Runnable runs with the same input and context,
    // so it streams, aborts and reports its events as part of this step.
    if (isRunnable(value)) {
      if (value === this) {
        throw new OrchestrationError(
          'invalid_state',
          `${this.name}: the step returned itself, which would run forever; return another Runnable or a value`,
          { op: this.name },
        );
      }
      return execute(value as Runnable<I>, input, execution);
    }
    if (isAsyncIterable(value) || isIterableIterator(value)) return this.collect(value, ctx);
    return value;
  }

  private async settle(
    produced: unknown,
    input: I,
    execution: ExecutionContext,
    ctx: StepContext,
  ): Promise<unknown> {
    let value = produced;
    try {
      if (isThenable(value)) value = await value;
    } catch (error) {
      throw toOrchestrationError(error, this.name);
    }
    return this.unwrap(value, input, execution, ctx);
  }

  private async collect(
    iterable: AsyncIterable<unknown> | Iterable<unknown>,
    ctx: StepContext,
  ): Promise<unknown> {
    const chunks: unknown[] = [];
    try {
      for await (const chunk of iterable) {
        if (ctx.signal.aborted) break;
        chunks.push(chunk);
        ctx.emit(chunk);
      }
    } catch (error) {
      throw toOrchestrationError(error, this.name);
    }
    return chunks.length > 0 && chunks.every((c) => typeof c === 'string')
      ? chunks.join('')
      : chunks;
  }
}

/** `ctx.interrupt` outside a graph node: nothing could store the question or resume the run. */
function noInterrupt(): never {
  throw new OrchestrationError(
    'invalid_state',
    'ctx.interrupt works only in a node of a graph run with a checkpointer (withGraphCheckpointer); this step does not run as a graph node',
    { op: 'interrupt', retryable: false, details: { reason: 'no-interrupt' } },
  );
}

function noop(): void {
  // events are dropped when nobody streams
}

/**
 * Builds a Runnable from a function. The function may return (directly, or through a Promise, a
 * neverthrow Result or ResultAsync):
 * - a value, which is the output;
 * - an AsyncIterable or a sync iterator (a generator object: anything with `next` and
 *   `Symbol.iterator`), whose items become `chunk` events; the output is the items joined when
 *   they are all strings, else an array of them. Strings, arrays, Maps and Sets are values;
 * - a Baton Runnable, which is run with the same input and context (signal, metadata,
 *   configurable, tags, stream events), as LangChain's `RunnableLambda` does: the output is its
 *   output. This is how a step routes dynamically. A LangChain Runnable is a value here (core
 *   does not know LangChain); `toLangChain` from `@baton/langchain` runs one that a run outputs.
 *
 * A thrown error and an `Err` both become an OrchestrationError with the original as `cause`.
 *
 * @example
 * const upper = runnable('upper', (text: string) => text.toUpperCase());
 * const result = await upper.invoke('hi'); // ok('HI')
 *
 * @example
 * const words = runnable('words', function* (text: string) {
 *   for (const word of text.split(' ')) yield `${word} `;
 * }); // streams each word; invoke gives 'a b '
 * const route = runnable('route', (text: string) => (text.startsWith('!') ? shout : upper));
 */
export function runnable<I, R, const N extends string = string>(
  name: N,
  fn: StepFunction<I, R>,
): Runnable<I, FnOutput<R>> & { readonly name: N } {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new OrchestrationError(
      'invalid_config',
      'runnable(name, fn): name must be a non-empty string',
      {
        op: 'runnable',
      },
    );
  }
  if (typeof fn !== 'function') {
    throw new OrchestrationError(
      'invalid_config',
      `runnable("${name}", fn): fn must be a function`,
      {
        op: 'runnable',
      },
    );
  }
  return new FnRunnable(name, fn) as unknown as Runnable<I, FnOutput<R>> & { readonly name: N };
}
