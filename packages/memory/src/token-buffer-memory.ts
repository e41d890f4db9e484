import type { Option, OrchestrationError } from '@baton/core';
import type { BaseMessage } from '@langchain/core/messages';
import type { Result } from 'neverthrow';
import { z } from 'zod';
import { ChatMemoryBase, unwrap } from './internal/chat-memory-base.js';
import { resolveChatMemory } from './internal/create-chat-memory.js';
import { splitToBudget } from './internal/token-budget.js';
import {
  CHAT_MEMORY_DEFAULTS,
  chatMemoryShape,
  type ChatMemory,
  type ChatMemoryConfig,
} from './memory-options.js';
import { replaceMessages } from './replaceable-chat-history.js';
import { approximateTokenCount, type TokenCounter } from './token-counter.js';

/** Options of {@link createTokenBufferMemory}. */
export interface TokenBufferMemoryConfig extends ChatMemoryConfig {
  /**
   * Token budget of the remembered messages; older messages beyond it are deleted.
   * @default 2000
   */
  readonly maxTokens: number;
  /**
   * Counts one message's tokens.
   * @default approximateTokenCount (about 4 characters per token + 4 per message)
   */
  readonly tokenCounter: TokenCounter;
}

/** Sets the token budget of a token buffer or summary buffer memory. */
export function withMaxTokens(maxTokens: number): Option<{ maxTokens: number }> {
  return (draft) => {
    draft.maxTokens = maxTokens;
  };
}

/** Sets how tokens are counted (default: {@link approximateTokenCount}). */
export function withTokenCounter(counter: TokenCounter): Option<{ tokenCounter: TokenCounter }> {
  return (draft) => {
    draft.tokenCounter = counter;
  };
}

/** zod fields of the token budget options. */
export const tokenBudgetShape = {
  maxTokens: z.number().int().nonnegative('expected a whole number of tokens >= 0'),
  tokenCounter: z.custom<TokenCounter>(
    (v) => typeof v === 'function',
    'expected a function (message) => number',
  ),
};

const schema = z.object({
  ...chatMemoryShape,
  ...tokenBudgetShape,
}) as z.ZodType<TokenBufferMemoryConfig>;

class TokenBufferMemory extends ChatMemoryBase<TokenBufferMemoryConfig> {
  protected override get appendOnly(): boolean {
    return false;
  }

  protected override async record(exchange: BaseMessage[]): Promise<void> {
    await unwrap(this.chatHistory.addMessages(exchange));
    const messages = await unwrap(this.chatHistory.getMessages());
    const { maxTokens, tokenCounter } = this.config;
    const { pruned, kept } = await splitToBudget(
      messages,
      maxTokens,
      tokenCounter,
      `${this.op}.save`,
    );
    if (pruned.length > 0) await unwrap(replaceMessages(this.chatHistory, kept));
  }
}

/**
 * Remembers the newest messages that fit in `maxTokens` (default 2000) and deletes older ones
 * from the history after each save, whole exchanges at a time. Tokens are counted with
 * `withTokenCounter` (default: a cheap approximation, see {@link approximateTokenCount}).
 *
 * @example
 * const memory = createTokenBufferMemory(withMaxTokens(1_000), withTokenCounter((m) => encode(m.text).length));
 */
export function createTokenBufferMemory(
  ...options: Option<TokenBufferMemoryConfig>[]
): Result<ChatMemory, OrchestrationError> {
  const defaults: TokenBufferMemoryConfig = {
    ...CHAT_MEMORY_DEFAULTS,
    maxTokens: 2_000,
    tokenCounter: approximateTokenCount,
  };
  return resolveChatMemory(defaults, options, schema, 'createTokenBufferMemory').map(
    ({ config, history }) => new TokenBufferMemory(history, config, 'tokenBufferMemory'),
  );
}
