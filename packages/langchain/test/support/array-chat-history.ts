import { type ChatHistory } from '@baton/core';
import { healthReport } from '@baton/core/authoring';
import type { BaseMessage } from '@langchain/core/messages';
import { okAsync } from 'neverthrow';

/** A minimal Baton ChatHistory over an array, independent of @baton/memory. */
export function arrayChatHistory(
  sessionId = 's1',
): ChatHistory<BaseMessage> & { messages: BaseMessage[] } {
  const messages: BaseMessage[] = [];
  return {
    sessionId,
    messages,
    getMessages: () => okAsync([...messages]),
    addMessage: (m) => okAsync(void messages.push(m)),
    addMessages: (ms) => okAsync(void messages.push(...ms)),
    clear: () => okAsync(void messages.splice(0)),
    check: () => Promise.resolve(healthReport('array-chat-history', 'healthy')),
  };
}

/** `type:content` of each message, for readable assertions. */
export const texts = (messages: readonly BaseMessage[]): string[] =>
  messages.map(
    (m) => `${m.type}:${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`,
  );
