import {
  toOrchestrationError,
  type ChatHistory,
  type MemoryValues,
  type OrchestrationError,
} from '@baton/core';
import { getBufferString, type BaseMessage } from '@langchain/core/messages';
import { err, errAsync, ok, okAsync, ResultAsync, type Result } from 'neverthrow';
import type { ChatMemory, ChatMemoryConfig } from '../memory-options.js';
import { attempt } from './attempt.js';
import { exchangeMessages } from './message-values.js';
import { Mutex } from './serialize.js';

/** Awaits a ResultAsync, throwing its error (inside `attempt`, which turns it back into an Err). */
export async function unwrap<T>(result: ResultAsync<T, OrchestrationError>): Promise<T> {
  const settled = await result;
  if (settled.isErr()) throw settled.error;
  return settled.value;
}

/**
 * What every message-based memory shares: one memory key, the exchange-to-messages rule, the
 * string-or-messages output, and saves that run one at a time (they read, then write). Every
 * call to the history runs inside `attempt`, so even a history that throws cannot throw past
 * the memory's API.
 */
export abstract class ChatMemoryBase<
  C extends ChatMemoryConfig = ChatMemoryConfig,
> implements ChatMemory {
  readonly memoryKeys: readonly string[];
  readonly #mutex = new Mutex();

  constructor(
    readonly chatHistory: ChatHistory<BaseMessage>,
    protected readonly config: Readonly<C>,
    protected readonly op: string,
  ) {
    this.memoryKeys = Object.freeze([config.memoryKey]);
  }

  load(_inputs: MemoryValues): ResultAsync<Record<string, unknown>, OrchestrationError> {
    const op = `${this.op}.load`;
    const render = (
      messages: BaseMessage[],
    ): Result<Record<string, unknown>, OrchestrationError> => {
      try {
        return ok(this.render(messages));
      } catch (error) {
        return err(this.fail(op, error));
      }
    };
    // One promise hop on the hot path; try/catch and the rejection handler keep a history that
    // throws or rejects from throwing past the API.
    try {
      const pending = this.chatHistory.getMessages();
      return new ResultAsync(
        new Promise<Result<Record<string, unknown>, OrchestrationError>>((resolve) => {
          pending.then(
            (result) => resolve(result.andThen(render)),
            (error: unknown) => resolve(err(this.fail(op, error))),
          );
        }),
      );
    } catch (error) {
      return errAsync(this.fail(op, error));
    }
  }

  save(inputs: MemoryValues, outputs: MemoryValues): ResultAsync<void, OrchestrationError> {
    const op = `${this.op}.save`;
    const { inputKey, outputKey } = this.config;
    try {
      const exchange = exchangeMessages(inputs, outputs, {
        inputKey,
        outputKey,
        memoryKeys: this.memoryKeys,
      });
      if (exchange.length === 0) return okAsync(undefined);
      // A plain append needs no lock: the history keeps appends in call order.
      if (this.appendOnly) return this.chatHistory.addMessages(exchange);
      return attempt(
        () => this.#mutex.run(() => this.record(exchange)),
        (error) => this.fail(op, error),
      );
    } catch (error) {
      return errAsync(this.fail(op, error));
    }
  }

  clear(): ResultAsync<void, OrchestrationError> {
    return attempt(
      () => this.#mutex.run(() => unwrap(this.chatHistory.clear())),
      (error) => this.fail(`${this.op}.clear`, error),
    );
  }

  /** Whether a save only appends (true unless `record` is overridden to read, then rewrite). */
  protected get appendOnly(): boolean {
    return true;
  }

  /** What `load` returns for the stored messages: all of them unless overridden. */
  protected render(messages: BaseMessage[]): Record<string, unknown> {
    return this.format(messages);
  }

  /** Stores one exchange under the lock when `appendOnly` is false. Rejects with an OrchestrationError. */
  protected record(exchange: BaseMessage[]): Promise<void> {
    return unwrap(this.chatHistory.addMessages(exchange));
  }

  /** Maps a failure of this memory to an OrchestrationError. */
  protected fail(op: string, error: unknown): OrchestrationError {
    return toOrchestrationError(error, op);
  }

  /** `{ [memoryKey]: messages }` or `{ [memoryKey]: 'Human: ...\nAI: ...' }`. */
  protected format(messages: BaseMessage[]): Record<string, unknown> {
    const { memoryKey, returnMessages, humanPrefix, aiPrefix } = this.config;
    if (returnMessages) return { [memoryKey]: messages };
    return { [memoryKey]: getBufferString(messages, humanPrefix, aiPrefix) };
  }
}
