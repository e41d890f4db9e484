import type { ChatHistory, Memory, Option } from '@baton/core';
import type { BaseMessage } from '@langchain/core/messages';
import { z } from 'zod';

/** A memory that keeps its messages in a ChatHistory. */
export interface ChatMemory extends Memory {
  /** Where the messages live (the one given with `withChatHistory`, or an in-memory one). */
  readonly chatHistory: ChatHistory<BaseMessage>;
}

/** Options shared by the message-based memories (buffer, window, token buffer, summaries). */
export interface ChatMemoryConfig {
  /**
   * The key `load` returns.
   * @default 'history'
   */
  readonly memoryKey: string;
  /**
   * The input key holding the human side of an exchange. When unset: the only input key
   * (ignoring `memoryKey`), else `input` when present, else every input key as JSON.
   * @default undefined
   */
  readonly inputKey: string | undefined;
  /**
   * The output key holding the AI side. When unset: the only output key, else `output` when
   * present, else every output key as JSON.
   * @default undefined
   */
  readonly outputKey: string | undefined;
  /**
   * Whether `load` returns LangChain messages (for chat prompts) instead of one string
   * (`Human: ...\nAI: ...`, for text prompts).
   * @default false
   */
  readonly returnMessages: boolean;
  /**
   * Label of human messages in the string form.
   * @default 'Human'
   */
  readonly humanPrefix: string;
  /**
   * Label of AI messages in the string form.
   * @default 'AI'
   */
  readonly aiPrefix: string;
  /**
   * Where the messages are stored.
   * @default a new in-memory history (createInMemoryChatHistory())
   */
  readonly chatHistory: ChatHistory<BaseMessage> | undefined;
}

/** Sets the key `load` returns. */
export function withMemoryKey(key: string): Option<{ memoryKey: string }> {
  return (draft) => {
    draft.memoryKey = key;
  };
}

/** Sets the input key of the human side of each exchange. */
export function withInputKey(key: string): Option<{ inputKey: string | undefined }> {
  return (draft) => {
    draft.inputKey = key;
  };
}

/** Sets the output key of the AI side of each exchange. */
export function withOutputKey(key: string): Option<{ outputKey: string | undefined }> {
  return (draft) => {
    draft.outputKey = key;
  };
}

/** Makes `load` return messages (true) or one formatted string (false). */
export function withReturnMessages(enabled = true): Option<ChatMemoryConfig> {
  return (draft) => {
    draft.returnMessages = enabled;
  };
}

/** Sets the labels of human and AI messages in the string form. */
export function withPrefixes(humanPrefix: string, aiPrefix: string): Option<ChatMemoryConfig> {
  return (draft) => {
    draft.humanPrefix = humanPrefix;
    draft.aiPrefix = aiPrefix;
  };
}

/** Stores the messages in `history` (file, Redis, or any ChatHistory) instead of in memory. */
export function withChatHistory(history: ChatHistory<BaseMessage>): Option<ChatMemoryConfig> {
  return (draft) => {
    draft.chatHistory = history;
  };
}

/** Defaults of {@link ChatMemoryConfig}. */
export const CHAT_MEMORY_DEFAULTS: ChatMemoryConfig = {
  memoryKey: 'history',
  inputKey: undefined,
  outputKey: undefined,
  returnMessages: false,
  humanPrefix: 'Human',
  aiPrefix: 'AI',
  chatHistory: undefined,
};

const key = z.string().min(1, 'expected a non-empty key');

const isChatHistory = (value: unknown): boolean =>
  value === undefined ||
  (typeof value === 'object' &&
    value !== null &&
    ['getMessages', 'addMessages', 'clear'].every(
      (method) => typeof (value as Record<string, unknown>)[method] === 'function',
    ));

/** zod fields of {@link ChatMemoryConfig}, for each memory's schema. */
export const chatMemoryShape = {
  memoryKey: key,
  inputKey: key.optional(),
  outputKey: key.optional(),
  returnMessages: z.boolean(),
  humanPrefix: z.string(),
  aiPrefix: z.string(),
  chatHistory: z.custom<ChatHistory<BaseMessage> | undefined>(
    isChatHistory,
    'expected a ChatHistory (getMessages, addMessages, clear), e.g. createFileChatHistory(...)',
  ),
};
