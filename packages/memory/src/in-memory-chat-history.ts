import { type HealthReport, type OrchestrationError } from '@baton/core';
import { healthReport } from '@baton/core/authoring';
import type { BaseMessage } from '@langchain/core/messages';
import { okAsync, type Result, type ResultAsync } from 'neverthrow';
import { validateId } from './internal/validate-id.js';
import type { ReplaceableChatHistory } from './replaceable-chat-history.js';

/** A chat history kept in this process; lost when it exits. */
export type InMemoryChatHistory = ReplaceableChatHistory<BaseMessage>;

class InMemoryHistory implements InMemoryChatHistory {
  #messages: BaseMessage[] = [];

  constructor(readonly sessionId: string) {}

  getMessages(): ResultAsync<BaseMessage[], OrchestrationError> {
    return okAsync(this.#messages.slice());
  }

  addMessage(message: BaseMessage): ResultAsync<void, OrchestrationError> {
    this.#messages.push(message);
    return okAsync(undefined);
  }

  addMessages(messages: readonly BaseMessage[]): ResultAsync<void, OrchestrationError> {
    for (const message of messages) this.#messages.push(message);
    return okAsync(undefined);
  }

  replaceMessages(messages: readonly BaseMessage[]): ResultAsync<void, OrchestrationError> {
    this.#messages = messages.slice();
    return okAsync(undefined);
  }

  clear(): ResultAsync<void, OrchestrationError> {
    this.#messages = [];
    return okAsync(undefined);
  }

  check(): Promise<HealthReport> {
    return Promise.resolve(
      healthReport('chat-history:memory', 'healthy', {
        sessionId: this.sessionId,
        messages: this.#messages.length,
      }),
    );
  }
}

/**
 * A chat history held in memory: the default of every memory in this package.
 *
 * @param sessionId - Names the conversation. @default 'default'
 * @example
 * const result = createInMemoryChatHistory('user-42');
 * if (result.isErr()) throw result.error;
 * await result.value.addMessage(new HumanMessage('hi'));
 */
export function createInMemoryChatHistory(
  sessionId = 'default',
): Result<InMemoryChatHistory, OrchestrationError> {
  return validateId(sessionId, 'sessionId', 'createInMemoryChatHistory').map(
    (id) => new InMemoryHistory(id),
  );
}
