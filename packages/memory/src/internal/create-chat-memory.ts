import { type ChatHistory, type Option, type OrchestrationError } from '@baton/core';
import { resolveOptions } from '@baton/core/authoring';
import type { BaseMessage } from '@langchain/core/messages';
import { ok, type Result } from 'neverthrow';
import type { z } from 'zod';
import { createInMemoryChatHistory } from '../in-memory-chat-history.js';
import type { ChatMemoryConfig } from '../memory-options.js';

/** A memory's resolved options and the history it stores its messages in. */
export interface ResolvedChatMemory<C> {
  readonly config: Readonly<C>;
  readonly history: ChatHistory<BaseMessage>;
}

/** Resolves a memory's options and picks its history (a new in-memory one by default). */
export function resolveChatMemory<C extends ChatMemoryConfig>(
  defaults: C,
  options: readonly Option<C>[],
  schema: z.ZodType<C>,
  op: string,
): Result<ResolvedChatMemory<C>, OrchestrationError> {
  return resolveOptions(defaults, options, schema, op).andThen((config) => {
    if (config.chatHistory !== undefined) return ok({ config, history: config.chatHistory });
    return createInMemoryChatHistory().map((history) => ({ config, history }));
  });
}
