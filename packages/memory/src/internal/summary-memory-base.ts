import { OrchestrationError } from '@baton/core';
import { getBufferString, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatMemoryConfig } from '../memory-options.js';
import { replaceMessages } from '../replaceable-chat-history.js';
import { summarize, type Summarizer } from '../summarizer.js';
import type { TokenCounter } from '../token-counter.js';
import { ChatMemoryBase, unwrap } from './chat-memory-base.js';
import { splitToBudget } from './token-budget.js';

/** Marks the stored message that holds the running summary. */
const MARKER = 'baton_summary';

/** Options of the summary memories. */
export interface SummaryMemoryBaseConfig extends ChatMemoryConfig {
  readonly summarizer: Summarizer;
  readonly maxTokens: number;
  readonly tokenCounter: TokenCounter;
}

function summaryMessage(summary: string): SystemMessage {
  return new SystemMessage({ content: summary, additional_kwargs: { [MARKER]: true } });
}

/** The running summary (first message, when marked) and the verbatim messages after it. */
function splitSummary(messages: readonly BaseMessage[]): {
  summary: string;
  recent: BaseMessage[];
} {
  const first = messages[0];
  if (first !== undefined && first.type === 'system' && first.additional_kwargs[MARKER] === true) {
    return { summary: first.text, recent: messages.slice(1) };
  }
  return { summary: '', recent: [...messages] };
}

/**
 * A memory whose history is `[summary?, ...recent messages]`, both stored in the ChatHistory so
 * that a durable history makes the summary durable too. Each save appends the exchange, then,
 * when the recent messages exceed `maxTokens`, folds the oldest into the summary with the
 * summarizer and rewrites the history (atomically when the backend can).
 */
export class SummaryMemoryBase extends ChatMemoryBase<SummaryMemoryBaseConfig> {
  protected override render(messages: BaseMessage[]): Record<string, unknown> {
    const { summary, recent } = splitSummary(messages);
    const { memoryKey, returnMessages, humanPrefix, aiPrefix } = this.config;
    if (returnMessages) {
      const head = summary === '' ? [] : [new SystemMessage(summary)];
      return { [memoryKey]: [...head, ...recent] };
    }
    const lines = recent.length === 0 ? '' : getBufferString(recent, humanPrefix, aiPrefix);
    return { [memoryKey]: [summary, lines].filter((part) => part !== '').join('\n') };
  }

  protected override get appendOnly(): boolean {
    return false;
  }

  protected override async record(exchange: BaseMessage[]): Promise<void> {
    await unwrap(this.chatHistory.addMessages(exchange));
    try {
      await this.#fold(await unwrap(this.chatHistory.getMessages()));
    } catch (error) {
      throw this.#foldError(error);
    }
  }

  async #fold(messages: readonly BaseMessage[]): Promise<void> {
    const { summary, recent } = splitSummary(messages);
    const { maxTokens, tokenCounter, summarizer } = this.config;
    const { pruned, kept } = await splitToBudget(
      recent,
      maxTokens,
      tokenCounter,
      `${this.op}.save`,
    );
    if (pruned.length === 0) return;
    const next = await summarize(summarizer, summary, pruned, this.config, `${this.op}.save`);
    await unwrap(replaceMessages(this.chatHistory, [summaryMessage(next), ...kept]));
  }

  #foldError(error: unknown): OrchestrationError {
    const op = `${this.op}.save`;
    const cause = this.fail(op, error);
    return new OrchestrationError(
      cause.code,
      `${op}: the exchange was saved, but folding older messages into the summary failed (the next save retries): ${cause.message}`,
      { op, cause, retryable: cause.retryable },
    );
  }
}
