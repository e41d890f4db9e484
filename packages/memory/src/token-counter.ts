import type { BaseMessage } from '@langchain/core/messages';

/**
 * Counts the tokens one message costs in a prompt. Plug in a real tokenizer (tiktoken, a chat
 * model's `getNumTokens`) when the budget must be exact.
 */
export type TokenCounter = (message: BaseMessage) => number | Promise<number>;

/**
 * The default counter, a cheap approximation that calls no tokenizer: one token per 4 characters
 * of the message text (rounded up; OpenAI's rule of thumb for English), plus 4 tokens of
 * per-message overhead (role and separators). Tool calls of AI messages count as their JSON.
 *
 * @example
 * approximateTokenCount(new HumanMessage('hello world')); // 3 + 4 = 7
 */
export function approximateTokenCount(message: BaseMessage): number {
  let chars = message.text.length;
  const toolCalls = (message as { tool_calls?: unknown }).tool_calls;
  if (Array.isArray(toolCalls) && toolCalls.length > 0) chars += JSON.stringify(toolCalls).length;
  return Math.ceil(chars / 4) + 4;
}
