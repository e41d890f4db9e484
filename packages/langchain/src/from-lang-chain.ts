import { OrchestrationError, type Option, type Runnable } from '@baton/core';
import {
  BaseRunnable,
  NEVER_SIGNAL,
  raceAbort,
  resolveOptions,
  type ExecutionContext,
} from '@baton/core/authoring';
import type { RunnableConfig, RunnableInterface } from '@langchain/core/runnables';
import { z } from 'zod';
import { accumulateChunk } from './internal/accumulate-chunk.js';
import { mapLangChainError } from './internal/map-lang-chain-error.js';

/** Configuration of {@link fromLangChain}. */
export interface FromLangChainConfig {
  /**
   * Name of the Baton Runnable (step names, events, errors); also LangChain's `runName`.
   * @default the LangChain runnable's `getName()`
   */
  readonly name: string;
  /**
   * Extra LangChain config for every call (`tags`, `callbacks`, `configurable`, `metadata`,
   * `maxConcurrency`...). The run's signal, metadata, configurable and tags are merged in (the
   * run's values win; tags are combined); `signal` here is ignored.
   * @default {}
   */
  readonly runnableConfig: Readonly<RunnableConfig>;
  /**
   * When the Baton run is streamed, call LangChain's `stream()` and emit each chunk as a `chunk`
   * event; when false, streamed runs call `invoke()` like unstreamed ones.
   * @default true
   */
  readonly streaming: boolean;
}

/** Sets the Baton name of the adapted runnable. */
export function withLangChainName(name: string): Option<FromLangChainConfig> {
  return (draft) => {
    draft.name = name;
  };
}

/** Adds LangChain `RunnableConfig` fields (tags, callbacks, configurable...) to every call. */
export function withLangChainConfig(config: RunnableConfig): Option<FromLangChainConfig> {
  return (draft) => {
    draft.runnableConfig = config;
  };
}

/** Whether streamed runs use LangChain's `stream()` (true) or `invoke()` (false). */
export function withLangChainStreaming(enabled: boolean): Option<FromLangChainConfig> {
  return (draft) => {
    draft.streaming = enabled;
  };
}

const schema = z.object({
  name: z.string().trim().min(1, 'expected a non-empty name'),
  runnableConfig: z.custom<Readonly<RunnableConfig>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'expected a LangChain RunnableConfig object',
  ),
  streaming: z.boolean(),
}) as z.ZodType<FromLangChainConfig>;

/** A LangChain runnable, from any copy of `@langchain/core` (checked by shape, not class). */
export type LangChainRunnableLike<I, O> = Pick<RunnableInterface<I, O>, 'invoke' | 'stream'>;

function isLangChainRunnable(value: unknown): value is LangChainRunnableLike<unknown, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    candidate['lc_runnable'] === true &&
    typeof candidate['invoke'] === 'function' &&
    typeof candidate['stream'] === 'function'
  );
}

function defaultName(lc: object): string {
  const getName = (lc as { getName?: unknown }).getName;
  if (typeof getName === 'function') {
    const name: unknown = getName.call(lc);
    if (typeof name === 'string' && name.trim() !== '') return name;
  }
  return 'langchain';
}

class LangChainAdapter<I, O> extends BaseRunnable<I, O> {
  readonly name: string;
  /** `withLangChainConfig` without `signal`: only the run's signal may cancel a call. */
  private readonly baseConfig: Readonly<Partial<RunnableConfig>>;

  constructor(
    private readonly lc: LangChainRunnableLike<I, O>,
    private readonly config: Readonly<FromLangChainConfig>,
  ) {
    super();
    this.name = config.name;
    const { signal: _ignored, ...base } = config.runnableConfig;
    this.baseConfig = base;
  }

  override run(input: I, ctx: ExecutionContext): Promise<O> {
    const lcConfig = this.lcConfig(ctx);
    let promise: Promise<O>;
    try {
      promise =
        ctx.sink !== undefined && this.config.streaming
          ? this.stream$(input, lcConfig, ctx)
          : this.lc.invoke(input, lcConfig);
    } catch (error) {
      // A hand-written LangChain runnable may throw before returning its promise.
      promise = Promise.reject(error);
    }
    return raceAbort(
      promise.catch((error: unknown) => {
        throw mapLangChainError(error, this.name, ctx.signal);
      }),
      ctx.signal,
      this.name,
    );
  }

  private lcConfig(ctx: ExecutionContext): Partial<RunnableConfig> {
    const base = this.baseConfig;
    return {
      ...base,
      runName: base.runName ?? this.name,
      metadata: { ...base.metadata, ...ctx.metadata, baton_run_id: ctx.runId },
      ...(ctx.configurable === undefined
        ? {}
        : { configurable: { ...base.configurable, ...ctx.configurable } }),
      ...(ctx.tags === undefined || ctx.tags.length === 0
        ? {}
        : { tags: [...new Set([...(base.tags ?? []), ...ctx.tags])] }),
      ...(ctx.signal === NEVER_SIGNAL ? {} : { signal: ctx.signal }),
    };
  }

  private async stream$(
    input: I,
    lcConfig: Partial<RunnableConfig>,
    ctx: ExecutionContext,
  ): Promise<O> {
    const sink = ctx.sink;
    const stream = await this.lc.stream(input, lcConfig);
    const iterator = stream[Symbol.asyncIterator]();
    // An abort while a read is pending: LangChain's next() rejects at once but leaves its
    // generator suspended, never returned. Cancelling the stream first returns it (it finishes
    // at its next step, even if it ignores the signal).
    const cancel = (): void => void iterator.return?.().catch(() => undefined);
    ctx.signal.addEventListener('abort', cancel, { once: true });
    if (ctx.signal.aborted) cancel(); // aborted while LangChain set the stream up
    let output: unknown = undefined;
    let first = true;
    try {
      for await (const chunk of { [Symbol.asyncIterator]: () => iterator }) {
        sink?.({
          type: 'chunk',
          runId: ctx.runId,
          step: this.name,
          path: ctx.path,
          chunk,
          timestamp: Date.now(),
        });
        output = first ? chunk : accumulateChunk(output, chunk);
        first = false;
        // A subscriber that unsubscribes inside its `chunk` handler aborts right here. Breaking
        // before the next read cancels LangChain's stream, which returns the model's generator;
        // reading on would leave it suspended (LangChain's next() throws once the signal fired).
        if (ctx.signal.aborted) break;
      }
    } finally {
      ctx.signal.removeEventListener('abort', cancel);
    }
    if (ctx.signal.aborted) throw mapLangChainError(undefined, this.name, ctx.signal);
    // No chunk at all (e.g. an empty model reply): there is nothing to concatenate. Calling
    // invoke() instead would run the model a second time.
    return output as O;
  }
}

/**
 * Makes any `@langchain/core` Runnable (prompt, chat model, output parser, LCEL sequence) a Baton
 * Runnable. The run's AbortSignal and metadata are passed to LangChain; when the run is streamed
 * LangChain's `stream()` is used, each chunk becomes a `chunk` event and the output is the
 * chunks concatenated (strings joined, message chunks `concat`ed). LangChain errors become
 * OrchestrationErrors (abort -> `task_canceled`, rate limits -> `rate_limit_exceeded`...).
 *
 * Throws an OrchestrationError (`invalid_config`) when `lc` is not a LangChain Runnable or an
 * option is invalid: like `runnable(name, fn)`, that is a programming error.
 *
 * @example
 * const chat = ChatPromptTemplate.fromTemplate('Tell me about {topic}')
 *   .pipe(model)
 *   .pipe(new StringOutputParser());
 * const step = fromLangChain(chat, withLangChainName('about'));
 * const text = await step.invoke({ topic: 'bees' }); // ok('Bees are...')
 */
export function fromLangChain<I, O>(
  lc: LangChainRunnableLike<I, O>,
  ...options: Option<FromLangChainConfig>[]
): Runnable<I, O> {
  if (!isLangChainRunnable(lc)) {
    throw new OrchestrationError(
      'invalid_config',
      'fromLangChain: expected a @langchain/core Runnable (a prompt, chat model, parser or LCEL sequence); ' +
        'wrap plain functions with RunnableLambda.from(fn) or use runnable(name, fn) from @baton/core',
      { op: 'fromLangChain', details: { received: lc === null ? 'null' : typeof lc } },
    );
  }
  const defaults: FromLangChainConfig = {
    name: defaultName(lc),
    runnableConfig: {},
    streaming: true,
  };
  const config = resolveOptions(defaults, options, schema, 'fromLangChain');
  if (config.isErr()) throw config.error;
  return new LangChainAdapter(lc, config.value);
}
