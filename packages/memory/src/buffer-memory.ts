import type { Option, OrchestrationError } from '@baton/core';
import type { Result } from 'neverthrow';
import { z } from 'zod';
import { ChatMemoryBase } from './internal/chat-memory-base.js';
import { resolveChatMemory } from './internal/create-chat-memory.js';
import {
  CHAT_MEMORY_DEFAULTS,
  chatMemoryShape,
  type ChatMemory,
  type ChatMemoryConfig,
} from './memory-options.js';

/** Options of {@link createBufferMemory}: those of every chat memory. */
export type BufferMemoryConfig = ChatMemoryConfig;

const schema = z.object(chatMemoryShape) as z.ZodType<BufferMemoryConfig>;

class BufferMemory extends ChatMemoryBase {}

/**
 * Remembers every exchange verbatim. `load` returns the whole conversation under `memoryKey`
 * (default `history`): one `Human: ...\nAI: ...` string, or the messages with
 * `withReturnMessages()`. Non-string inputs and outputs are kept: messages as they are, other
 * values as JSON text.
 *
 * @example
 * const result = createBufferMemory(withReturnMessages(), withChatHistory(fileHistory));
 * if (result.isErr()) throw result.error;
 * const memory = result.value;
 * await memory.save({ input: 'Hi, I am Ada' }, { output: 'Hello Ada!' });
 * const loaded = await memory.load({}); // Ok({ history: [HumanMessage, AIMessage] })
 */
export function createBufferMemory(
  ...options: Option<BufferMemoryConfig>[]
): Result<ChatMemory, OrchestrationError> {
  const op = 'createBufferMemory';
  return resolveChatMemory(CHAT_MEMORY_DEFAULTS, options, schema, op).map(
    ({ config, history }) => new BufferMemory(history, config, 'bufferMemory'),
  );
}
