import {
  mapChatMessagesToStoredMessages,
  mapStoredMessagesToChatMessages,
  type BaseMessage,
  type StoredMessage,
} from '@langchain/core/messages';

/** One JSON string per message, in LangChain's stored-message form. */
export function encodeMessages(messages: readonly BaseMessage[]): string[] {
  return mapChatMessagesToStoredMessages([...messages]).map((stored) => JSON.stringify(stored));
}

/** A message from a parsed stored message; throws an Error saying what is wrong with it. */
export function decodeMessage(value: unknown): BaseMessage {
  if (typeof value !== 'object' || value === null)
    throw new Error('expected a stored message {type, data}');
  const candidate = value as { type?: unknown; data?: unknown };
  if (
    typeof candidate.type !== 'string' ||
    typeof candidate.data !== 'object' ||
    candidate.data === null
  ) {
    throw new Error('expected a stored message {type, data}');
  }
  return mapStoredMessagesToChatMessages([value as StoredMessage])[0] as BaseMessage;
}
