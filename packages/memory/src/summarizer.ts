import { OrchestrationError, type Runnable, isResult } from '@baton/core';
import { BaseMessage, getBufferString } from '@langchain/core/messages';

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

/**
 * The summary text of a summarizer's output. Anything but a string or a message is refused:
 * storing `undefined` as `''` (or `null` as `'null'`) would silently replace the folded messages.
 */
function summaryText(value: unknown, op: string): string {
  if (typeof value === 'string') return value;
  if (BaseMessage.isInstance(value)) return value.text;
  const shown = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new OrchestrationError(
    'invalid_config',
    `${op}: the summarizer returned ${shown}; it must return the new summary as a string or a message (end an LCEL summarizer with StringOutputParser)`,
    { op, details: { field: 'summarizer', returned: shown } },
  );
}

/** Runs the summarizer once; rejects with its OrchestrationError. */
export async function summarize(
  summarizer: Summarizer,
  summary: string,
  messages: readonly BaseMessage[],
  prefixes: { readonly humanPrefix: string; readonly aiPrefix: string },
  op: string,
): Promise<string> {
  const newLines = getBufferString([...messages], prefixes.humanPrefix, prefixes.aiPrefix);
  const result: unknown = await summarizer.invoke({ summary, messages, newLines });
  if (!isResult<unknown, OrchestrationError>(result)) return summaryText(result, op); // not a Baton Runnable
  if (result.isErr()) throw result.error satisfies OrchestrationError;
  return summaryText(result.value, op);
}
