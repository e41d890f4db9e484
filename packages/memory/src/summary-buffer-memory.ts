import type { Option, OrchestrationError } from '@baton/core';
import type { Result } from 'neverthrow';
import { z } from 'zod';
import { resolveChatMemory } from './internal/create-chat-memory.js';
import { SummaryMemoryBase, type SummaryMemoryBaseConfig } from './internal/summary-memory-base.js';
import {
  CHAT_MEMORY_DEFAULTS,
  chatMemoryShape,
  type ChatMemory,
  type ChatMemoryConfig,
} from './memory-options.js';
import { summarizerShape } from './summary-memory.js';
import type { Summarizer } from './summarizer.js';
import { tokenBudgetShape } from './token-buffer-memory.js';
import { approximateTokenCount, type TokenCounter } from './token-counter.js';

/** Options of {@link createSummaryBufferMemory}. */
export interface SummaryBufferMemoryConfig extends ChatMemoryConfig {
  /**
   * Token budget of the messages kept verbatim; older ones are folded into the summary and
   * deleted. The summary itself does not count.
   * @default 2000
   */
  readonly maxTokens: number;
  /**
   * Counts one message's tokens.
   * @default approximateTokenCount (about 4 characters per token + 4 per message)
   */
  readonly tokenCounter: TokenCounter;
}

const schema = z.object({
  ...chatMemoryShape,
  ...summarizerShape,
  ...tokenBudgetShape,
}) as unknown as z.ZodType<SummaryMemoryBaseConfig>;

/**
 * Recent messages verbatim plus a summary of older ones. While the verbatim messages fit in
 * `maxTokens` (default 2000) saves just append; once they exceed it, the oldest exchanges are
 * folded into the summary by `summarizer` and really deleted from the history, which then holds
 * `[summary, ...recent]`. `load` returns the summary first (a SystemMessage with
 * `withReturnMessages()`), then the recent messages.
 *
 * @example
 * const memory = createSummaryBufferMemory(summarizer, withMaxTokens(1_000), withReturnMessages());
 */
export function createSummaryBufferMemory(
  summarizer: Summarizer,
  ...options: Option<SummaryBufferMemoryConfig>[]
): Result<ChatMemory, OrchestrationError> {
  const defaults: SummaryMemoryBaseConfig = {
    ...CHAT_MEMORY_DEFAULTS,
    summarizer,
    maxTokens: 2_000,
    tokenCounter: approximateTokenCount,
  };
  return resolveChatMemory(defaults, options, schema, 'createSummaryBufferMemory').map(
    ({ config, history }) => new SummaryMemoryBase(history, config, 'summaryBufferMemory'),
  );
}
