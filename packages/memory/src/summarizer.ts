import type { OrchestrationError, Runnable } from '@baton/core';
import { getBufferString, type BaseMessage } from '@langchain/core/messages';
import { stringifyValue } from './internal/message-values.js';

/** What a summarizer receives: the running summary and the messages to fold into it. */
export interface SummaryInput {
  /** The summary so far (`''` at first). */
  readonly summary: string;
  /** The messages to add to the summary, oldest first. */
  readonly messages: readonly BaseMessage[];
  /** The same messages as `Human: ...\nAI: ...` lines, ready for a prompt. */
  readonly newLines: string;
}

/**
 * Folds messages into a running summary and returns the new summary: typically a prompt, a chat
 * model and a parser (e.g. `fromLangChain(prompt.pipe(model).pipe(new StringOutputParser()))`),
 * or any `runnable(...)`. A message output counts by its text.
 */
export type Summarizer = Runnable<SummaryInput, string | BaseMessage>;

/** Whether `value` looks like a Runnable (checked by shape, so any copy of core works). */
export function isSummarizer(value: unknown): value is Summarizer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { invoke?: unknown }).invoke === 'function'
  );
}

/** Runs the summarizer once; rejects with its OrchestrationError. */
export async function summarize(
  summarizer: Summarizer,
  summary: string,
  messages: readonly BaseMessage[],
  prefixes: { readonly humanPrefix: string; readonly aiPrefix: string },
): Promise<string> {
  const newLines = getBufferString([...messages], prefixes.humanPrefix, prefixes.aiPrefix);
  const result = await summarizer.invoke({ summary, messages, newLines });
  if (typeof result.isErr !== 'function') return stringifyValue(result); // not a Baton Runnable
  if (result.isErr()) throw result.error satisfies OrchestrationError;
  return stringifyValue(result.value);
}
