import { OrchestrationError, type ChatHistory } from '@baton/core';
import { BaseChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import type { ResultAsync } from 'neverthrow';

async function unwrap<T>(result: ResultAsync<T, OrchestrationError>): Promise<T> {
  const settled = await result;
  if (settled.isErr()) throw settled.error;
  return settled.value;
}

/** A LangChain chat message history backed by a Baton ChatHistory. */
class BatonChatMessageHistory extends BaseChatMessageHistory {
  lc_namespace = ['baton', 'langchain', 'chat_history'];

  constructor(private readonly history: ChatHistory<BaseMessage>) {
    super();
  }

  /** The Baton history's session id (LangChain histories commonly expose one). */
  get sessionId(): string {
    return this.history.sessionId;
  }

  getMessages(): Promise<BaseMessage[]> {
    return unwrap(this.history.getMessages());
  }

  addMessage(message: BaseMessage): Promise<void> {
    return unwrap(this.history.addMessage(message));
  }

  override addMessages(messages: BaseMessage[]): Promise<void> {
    return unwrap(this.history.addMessages(messages));
  }

  addUserMessage(message: string): Promise<void> {
    return this.addMessage(new HumanMessage(message));
  }

  addAIMessage(message: string): Promise<void> {
    return this.addMessage(new AIMessage(message));
  }

  clear(): Promise<void> {
    return unwrap(this.history.clear());
  }
}

function isChatHistory(value: unknown): value is ChatHistory<BaseMessage> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate['sessionId'] === 'string' &&
    ['getMessages', 'addMessage', 'addMessages', 'clear'].every(
      (method) => typeof candidate[method] === 'function',
    )
  );
}

/**
 * Exposes a Baton ChatHistory (in-memory, file, Redis from `@baton/memory`) as LangChain's
 * `BaseChatMessageHistory`, e.g. for `RunnableWithMessageHistory`. Its promises reject with the
 * Baton OrchestrationError when an operation fails.
 *
 * Throws an OrchestrationError (`invalid_config`) when `history` is not a ChatHistory.
 *
 * @example
 * const history = createInMemoryChatHistory('session-1');
 * const withHistory = new RunnableWithMessageHistory({
 *   runnable: chain,
 *   getMessageHistory: () => toLangChainChatHistory(history),
 *   inputMessagesKey: 'question',
 *   historyMessagesKey: 'history',
 * });
 */
export function toLangChainChatHistory(history: ChatHistory<BaseMessage>): BaseChatMessageHistory {
  if (!isChatHistory(history)) {
    throw new OrchestrationError(
      'invalid_config',
      'toLangChainChatHistory: expected a Baton ChatHistory (sessionId, getMessages, addMessage, ' +
        'addMessages, clear), e.g. from @baton/memory',
      { op: 'toLangChainChatHistory' },
    );
  }
  return new BatonChatMessageHistory(history);
}
