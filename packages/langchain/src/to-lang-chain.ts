import {
  isOrchestrationError,
  OrchestrationError,
  toAsyncIterable,
  type Runnable,
  type RunOptions,
} from '@baton/core';
import { isRunnable } from '@baton/core/authoring';
import type { CallbackManagerForChainRun } from '@langchain/core/callbacks/manager';
import {
  Runnable as LangChainRunnable,
  patchConfig,
  pickRunnableConfigKeys,
  type RunnableConfig,
} from '@langchain/core/runnables';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { toLangChainError } from './internal/to-lang-chain-error.js';

/** A LangChain Runnable from any copy of `@langchain/core` (`Runnable.isRunnable`'s test). */
function isLangChainRunnable(value: unknown): value is LangChainRunnable {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { lc_runnable?: unknown }).lc_runnable === true
  );
}

/**
 * The Baton options of one LangChain call: its signal, metadata, configurable and tags, and its
 * run id for correlation.
 */
function runOptions(
  config: Partial<RunnableConfig> | undefined,
  runManager: CallbackManagerForChainRun | undefined,
): RunOptions {
  return {
    ...(config?.signal === undefined ? {} : { signal: config.signal }),
    ...(config?.metadata === undefined ? {} : { metadata: config.metadata }),
    ...(config?.configurable === undefined ? {} : { configurable: config.configurable }),
    ...(config?.tags === undefined ? {} : { tags: config.tags }),
    ...(runManager === undefined ? {} : { runId: runManager.runId }),
  };
}

/** The config of a LangChain call made for this run: a child of it, one level deeper. */
function childConfig(
  config: Partial<RunnableConfig> | undefined,
  runManager: CallbackManagerForChainRun | undefined,
): Partial<RunnableConfig> {
  return patchConfig(config, {
    ...(runManager === undefined ? {} : { callbacks: runManager.getChild() }),
    recursionLimit: (config?.recursionLimit ?? 25) - 1,
  });
}

/**
 * The config for running a LangChain Runnable that the Baton run output, as RunnableLambda runs a
 * returned Runnable: a child config one level deeper, refused at the recursion limit.
 */
function routedConfig(
  config: Partial<RunnableConfig> | undefined,
  runManager: CallbackManagerForChainRun | undefined,
): Partial<RunnableConfig> {
  if (config?.recursionLimit === 0) throw new Error('Recursion limit reached.');
  const child = childConfig(config, runManager);
  return { ...child, recursionLimit: (child.recursionLimit ?? 25) - 1 };
}

/**
 * Runs `fn` (which starts the Baton run) with this run's child config as LangChain's implicit
 * config, as RunnableLambda does: LangChain runnables called inside the Baton run (fromLangChain
 * steps) then report to the caller's callbacks, tags and streamEvents as children of this run.
 * Needs LangChain's AsyncLocalStorage, like RunnableLambda (without it this just calls `fn`).
 */
function inChildContext<T>(
  config: Partial<RunnableConfig> | undefined,
  runManager: CallbackManagerForChainRun | undefined,
  fn: () => T,
): T {
  const child = childConfig(config, runManager);
  return AsyncLocalStorageProviderSingleton.runWithConfig(pickRunnableConfigKeys(child), fn);
}

// eslint-disable-next-line @typescript-eslint/require-await -- LangChain's transform wants an async generator
async function* once<T>(value: T): AsyncGenerator<T> {
  yield value;
}

/**
 * The output of `toLangChain(r)`: `r`'s output, or, when that is a LangChain Runnable, that
 * Runnable's output (`toLangChain` runs it with the same input, as RunnableLambda does).
 */
export type LangChainOutput<O> = O extends LangChainRunnable<never, infer R> ? R : O;

/** A LangChain Runnable that runs a Baton Runnable. */
class BatonRunnable<I, O> extends LangChainRunnable<I, O> {
  static override lc_name(): string {
    return 'BatonRunnable';
  }

  lc_namespace = ['baton', 'langchain'];

  constructor(private readonly baton: Runnable<I, O>) {
    super();
    this.name = baton.name;
  }

  override invoke(input: I, options?: Partial<RunnableConfig>): Promise<O> {
    return this._callWithConfig(
      (value: I, config?: Partial<RunnableConfig>, runManager?: CallbackManagerForChainRun) =>
        this.runOnce(value, config, runManager),
      input,
      options,
    );
  }

  override async *_streamIterator(input: I, options?: Partial<RunnableConfig>): AsyncGenerator<O> {
    yield* this._transformStreamWithConfig(
      once(input),
      (
        inputs: AsyncGenerator<I>,
        runManager?: CallbackManagerForChainRun,
        config?: Partial<RunnableConfig>,
      ) => this.streamBaton(inputs, runManager, config),
      options,
    );
  }

  private async runOnce(
    input: I,
    config: Partial<RunnableConfig> | undefined,
    runManager: CallbackManagerForChainRun | undefined,
  ): Promise<O> {
    const result = await inChildContext(config, runManager, () =>
      this.baton.invoke(input, runOptions(config, runManager)),
    );
    if (result.isErr()) throw toLangChainError(result.error);
    const output: unknown = result.value;
    if (!isLangChainRunnable(output)) return result.value;
    const routed = routedConfig(config, runManager);
    return (await inChildContext(config, runManager, () => output.invoke(input, routed))) as O;
  }

  /** Yields the run's `chunk` payloads, or its output when no step streamed a chunk. */
  private async *streamBaton(
    inputs: AsyncGenerator<I>,
    runManager: CallbackManagerForChainRun | undefined,
    config: Partial<RunnableConfig> | undefined,
  ): AsyncGenerator<O> {
    let input: I | undefined;
    for await (const value of inputs) input = value;
    const events = this.baton.stream(input as I, runOptions(config, runManager));
    // Subscribing starts the run, so it subscribes in the child context.
    const iterator = inChildContext(config, runManager, () =>
      toAsyncIterable(events)[Symbol.asyncIterator](),
    );
    let chunked = false;
    let routed: LangChainRunnable | undefined;
    try {
      // Leaving this loop early (the consumer stopped reading) unsubscribes: the run aborts.
      for await (const event of { [Symbol.asyncIterator]: () => iterator }) {
        if (event.type === 'chunk') {
          chunked = true;
          yield event.chunk as O;
        } else if (event.type === 'run-end') {
          if (isLangChainRunnable(event.output)) routed = event.output;
          else if (!chunked) yield event.output;
        }
      }
    } catch (error) {
      throw isOrchestrationError(error) ? toLangChainError(error) : error;
    }
    if (routed !== undefined) {
      const stream = await routed.stream(input, routedConfig(config, runManager));
      yield* stream as AsyncIterable<O>;
    }
  }
}

/**
 * Makes a Baton Runnable, Chain or Graph a LangChain `Runnable`, usable inside LCEL (`.pipe`,
 * `RunnableSequence`, `RunnableParallel`) with `invoke`, `batch` and `stream`. LangChain's
 * `signal`, `metadata`, `configurable` and `tags` reach the Baton run (every step's `ctx`); its
 * callback run id becomes the Baton `runId`. `stream` yields the payloads of the run's `chunk`
 * events, or the final output when no step streamed. A LangChain Runnable that the run outputs
 * is run with the same input, as `RunnableLambda` does. A failed run throws the error the user's
 * code threw, with the run's OrchestrationError on it (`batonErrorOf`); a failure Baton found
 * itself (timeout, cancellation, bad options) throws the OrchestrationError.
 *
 * Throws an OrchestrationError (`invalid_config`) when `runnable` is not a Baton Runnable.
 *
 * @example
 * const shout = runnable('shout', (text: string) => text.toUpperCase());
 * const seq = prompt.pipe(model).pipe(new StringOutputParser()).pipe(toLangChain(shout));
 * await seq.invoke({ topic: 'bees' }); // 'BEES ARE...'
 */
export function toLangChain<I, O>(
  runnable: Runnable<I, O>,
): LangChainRunnable<I, LangChainOutput<O>> {
  if (
    typeof runnable === 'object' &&
    runnable !== null &&
    (runnable as { lc_runnable?: unknown }).lc_runnable === true
  ) {
    throw new OrchestrationError(
      'invalid_config',
      'toLangChain: this is already a LangChain Runnable; use it in LCEL directly',
      { op: 'toLangChain' },
    );
  }
  if (!isRunnable(runnable)) {
    throw new OrchestrationError(
      'invalid_config',
      'toLangChain: expected a Baton Runnable (from runnable(), createChain(), createGraph()...) ' +
        'with name, invoke, batch and stream',
      { op: 'toLangChain', details: { received: runnable === null ? 'null' : typeof runnable } },
    );
  }
  return new BatonRunnable(runnable as Runnable<I, LangChainOutput<O>>);
}
