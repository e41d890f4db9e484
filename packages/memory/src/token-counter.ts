import type { BaseMessage } from '@langchain/core/messages';

/**
 * Counts the tokens one message costs in a prompt. Plug in a real tokenizer (tiktoken, a chat
 * model's `getNumTokens`) when the budget must be exact.
 */
export type TokenCounter = (message: BaseMessage) => number | Promise<number>;

/**
 * What the default counter charges for a content part that is not text (an image, audio, a file):
 * an OpenAI 1024x1024 image at high detail costs 765 tokens. Messages with large media should use
 * a real counter.
 */
export const MEDIA_PART_TOKENS = 765;

/** Content part types (LangChain's standard and provider-native ones) that hold media. */
const MEDIA_TYPES = new Set([
  'image',
  'image_url',
  'input_image',
  'audio',
  'input_audio',
  'video',
  'file',
]);

/**
 * The default counter, a cheap approximation that calls no tokenizer: one token per 4 characters
 * of the message text (rounded up; OpenAI's rule of thumb for English), plus 4 tokens of
 * per-message overhead (role and separators), plus {@link MEDIA_PART_TOKENS} per media content
 * part (image, audio, video, file). Tool calls of AI messages count as their JSON.
 *
 * @example
 * approximateTokenCount(new HumanMessage('hello world')); // 3 + 4 = 7
 */
export function approximateTokenCount(message: BaseMessage): number {
  let chars = message.text.length;
  const toolCalls = (message as { tool_calls?: unknown }).tool_calls;
  if (Array.isArray(toolCalls) && toolCalls.length > 0) chars += JSON.stringify(toolCalls).length;
  let media = 0;
  if (Array.isArray(message.content)) {
    for (const part of message.content as unknown[]) {
      const type =
        typeof part === 'object' && part !== null ? (part as { type?: unknown }).type : '';
      if (typeof type === 'string' && MEDIA_TYPES.has(type)) media++;
    }
  }
  return Math.ceil(chars / 4) + 4 + media * MEDIA_PART_TOKENS;
}
