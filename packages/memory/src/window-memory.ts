import type { Option, OrchestrationError } from '@baton/core';
import type { BaseMessage } from '@langchain/core/messages';
import type { Result } from 'neverthrow';
import { z } from 'zod';
import { ChatMemoryBase } from './internal/chat-memory-base.js';
import { resolveChatMemory } from './internal/create-chat-memory.js';
import { groupExchanges } from './internal/message-values.js';
import {
  CHAT_MEMORY_DEFAULTS,
  chatMemoryShape,
  type ChatMemory,
  type ChatMemoryConfig,
} from './memory-options.js';

/** Options of {@link createWindowMemory}. */
export interface WindowMemoryConfig extends ChatMemoryConfig {
  /**
   * How many of the latest exchanges `load` returns (an exchange is a human message and the
   * messages that answer it).
   * @default 5
   */
  readonly windowSize: number;
}

/** Sets how many exchanges a window memory shows. */
export function withWindowSize(exchanges: number): Option<WindowMemoryConfig> {
  return (draft) => {
    draft.windowSize = exchanges;
  };
}

const schema = z.object({
  ...chatMemoryShape,
  windowSize: z.number().int().positive('expected a positive whole number of exchanges'),
}) as z.ZodType<WindowMemoryConfig>;

class WindowMemory extends ChatMemoryBase<WindowMemoryConfig> {
  protected override render(messages: BaseMessage[]): Record<string, unknown> {
    return this.format(groupExchanges(messages).slice(-this.config.windowSize).flat());
  }
}

/**
 * Remembers the last `windowSize` exchanges (default 5), not the last k messages: an exchange
 * whose answer spans several messages (tool calls, a list of messages) counts once. The history
 * keeps everything; the window applies when loading.
 *
 * @example
 * const memory = createWindowMemory(withWindowSize(3));
 */
export function createWindowMemory(
  ...options: Option<WindowMemoryConfig>[]
): Result<ChatMemory, OrchestrationError> {
  const defaults: WindowMemoryConfig = { ...CHAT_MEMORY_DEFAULTS, windowSize: 5 };
  return resolveChatMemory(defaults, options, schema, 'createWindowMemory').map(
    ({ config, history }) => new WindowMemory(history, config, 'windowMemory'),
  );
}
