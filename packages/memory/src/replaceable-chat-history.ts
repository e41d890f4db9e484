import type { ChatHistory, OrchestrationError } from '@baton/core';
import type { ResultAsync } from 'neverthrow';

/**
 * A ChatHistory that can swap its whole content in one step. Every backend of this package is
 * one: memory swaps the array, file writes a new file and renames it over the old one, Redis runs
 * DEL + RPUSH in a MULTI. Memories that prune (token buffer, summaries) use it when available and
 * fall back to `clear()` + `addMessages()` for other histories.
 */
export interface ReplaceableChatHistory<M> extends ChatHistory<M> {
  /** Replaces every message with `messages`, atomically. */
  replaceMessages(messages: readonly M[]): ResultAsync<void, OrchestrationError>;
}

/** Whether `history` offers `replaceMessages`. */
export function isReplaceable<M>(history: ChatHistory<M>): history is ReplaceableChatHistory<M> {
  return typeof (history as Partial<ReplaceableChatHistory<M>>).replaceMessages === 'function';
}

/** Replaces the content of any history: atomically when it can, else clear then add. */
export function replaceMessages<M>(
  history: ChatHistory<M>,
  messages: readonly M[],
): ResultAsync<void, OrchestrationError> {
  if (isReplaceable(history)) return history.replaceMessages(messages);
  return history.clear().andThen(() => history.addMessages(messages));
}
