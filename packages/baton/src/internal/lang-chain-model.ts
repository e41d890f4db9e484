import type { Runnable } from '@baton/core';
import { BaseRunnable, execute, type ExecutionContext } from '@baton/core/authoring';
import type { LangChainChatModelLike, ModelInput } from '../model-definition.js';

/**
 * A LangChain chat model as a model Runnable. `@baton/langchain` (and so `@langchain/core`) is
 * loaded on the first call, so that users without LangChain can import `baton`.
 */
export class LangChainModel extends BaseRunnable<ModelInput, unknown> {
  #adapted: Promise<Runnable> | undefined;

  constructor(
    readonly name: string,
    private readonly model: LangChainChatModelLike,
  ) {
    super();
  }

  override async run(input: ModelInput, ctx: ExecutionContext): Promise<unknown> {
    this.#adapted ??= import('@baton/langchain').then(({ fromLangChain, withLangChainName }) =>
      fromLangChain(this.model as never, withLangChainName(this.name)),
    );
    const adapted = await this.#adapted;
    // LangChain message-likes: `{ role, content }` is one of the forms chat models accept.
    return execute(adapted, input.messages, ctx);
  }
}
