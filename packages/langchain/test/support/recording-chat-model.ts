import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatGenerationChunk, ChatResult } from '@langchain/core/outputs';
import { FakeListChatModel } from '@langchain/core/utils/testing';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * LangChain's FakeListChatModel, recording what it was asked, the AbortSignal it got, how many
 * chunks it streamed, and when its stream generator finished (however it finished).
 */
export class RecordingChatModel extends FakeListChatModel {
  readonly received: BaseMessage[][] = [];
  readonly signals: (AbortSignal | undefined)[] = [];
  yielded = 0;
  #finished = deferred();

  /** Resolves when the latest stream generator has finished (completed, broken off or failed). */
  get streamFinished(): Promise<void> {
    return this.#finished.promise;
  }

  override _generate(
    messages: BaseMessage[],
    options?: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    this.received.push(messages);
    this.signals.push(options?.signal);
    return super._generate(messages, options, runManager);
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    this.received.push(messages);
    this.signals.push(options.signal);
    this.#finished = deferred();
    try {
      for await (const chunk of super._streamResponseChunks(messages, options, runManager)) {
        this.yielded += 1;
        yield chunk;
      }
    } finally {
      this.#finished.resolve();
    }
  }
}
