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
import { isSummarizer, type Summarizer } from './summarizer.js';
import { approximateTokenCount } from './token-counter.js';

/** Options of {@link createSummaryMemory}: those of every chat memory. */
export type SummaryMemoryConfig = ChatMemoryConfig;

/** zod field of the summarizer argument. */
export const summarizerShape = {
  summarizer: z.custom<Summarizer>(
    isSummarizer,
    'expected a Runnable (e.g. runnable(name, fn) or fromLangChain(...))',
  ),
};

// maxTokens and tokenCounter are fixed (0: every exchange is folded), so not validated.
const schema = z.object({
  ...chatMemoryShape,
  ...summarizerShape,
}) as unknown as z.ZodType<SummaryMemoryBaseConfig>;

/**
 * Remembers a running summary instead of the messages: after each exchange, `summarizer` folds
 * it into the summary (`{ summary, messages, newLines }` in, new summary out). `load` returns the
 * summary (as one SystemMessage with `withReturnMessages()`). The summary is stored in the chat
 * history, so a file or Redis history keeps it across restarts. If the summarizer fails, `save`
 * fails but the exchange is kept and folded in by the next save.
 *
 * @example
 * const summarizer = runnable('summarize', ({ summary, newLines }: SummaryInput) =>
 *   llm(`Summary so far: ${summary}\nNew lines:\n${newLines}\nNew summary:`));
 * const memory = createSummaryMemory(summarizer);
 */
export function createSummaryMemory(
  summarizer: Summarizer,
  ...options: Option<SummaryMemoryConfig>[]
): Result<ChatMemory, OrchestrationError> {
  const defaults: SummaryMemoryBaseConfig = {
    ...CHAT_MEMORY_DEFAULTS,
    summarizer,
    maxTokens: 0,
    tokenCounter: approximateTokenCount,
  };
  return resolveChatMemory(defaults, options, schema, 'createSummaryMemory').map(
    ({ config, history }) => new SummaryMemoryBase(history, config, 'summaryMemory'),
  );
}
