import type { Result } from 'neverthrow';
import { BaseRunnable } from './base-runnable.js';
import { OrchestrationError, toOrchestrationError } from './errors.js';
import { raceAbort } from './abort.js';
import type { ExecutionContext, Runnable, StepContext } from './runnable.js';
import { isResult } from './is-result.js';

type SyncOutput<R> =
  R extends Result<infer T, unknown>
    ? T
    : R extends AsyncIterable<infer C>
      ? C extends string
        ? string
        : C[]
      : R;

/**
 * The output type of a step function: promises are awaited, Results unwrapped, async iterables
 * collected (strings concatenated, anything else into an array).
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
    const sink = ctx.sink;
    const name = this.name;
    const stepContext: StepContext = {
      signal: ctx.signal,
      runId: ctx.runId,
      metadata: ctx.metadata,
      enclosing: ctx.enclosing,
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
    };
    let produced: unknown;
    try {
      produced = this.fn(input, stepContext);
    } catch (error) {
      return Promise.reject(toOrchestrationError(error, name));
    }
    if (!isThenable(produced) && !isResult(produced) && !isAsyncIterable(produced)) {
      return Promise.resolve(produced as FnOutput<R>);
    }
    const settled = this.settle(produced, stepContext) as Promise<FnOutput<R>>;
    return raceAbort(settled, ctx.signal, name);
  }

  private async settle(produced: unknown, ctx: StepContext): Promise<unknown> {
    let value = produced;
    try {
      if (isThenable(value)) value = await value;
    } catch (error) {
      throw toOrchestrationError(error, this.name);
    }
    if (isResult(value)) {
      if (value.isErr()) throw toOrchestrationError(value.error, this.name);
      return value.isOk() ? value.value : undefined;
    }
    if (isAsyncIterable(value)) return this.collect(value, ctx);
    return value;
  }

  private async collect(iterable: AsyncIterable<unknown>, ctx: StepContext): Promise<unknown> {
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

function noop(): void {
  // events are dropped when nobody streams
}

/**
 * Builds a Runnable from a function. The function may return a value, a Promise, a neverthrow
 * Result or ResultAsync, or an AsyncIterable whose items become `chunk` events. A thrown error and
 * an `Err` both become an OrchestrationError with the original as `cause`. Its `name` keeps its
 * literal type, so a graph builder can use it as the node's name.
 *
 * @example
 * const upper = runnable('upper', (text: string) => text.toUpperCase());
 * const result = await upper.invoke('hi'); // ok('HI')
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
