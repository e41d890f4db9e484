import { OrchestrationError } from '@baton/core';
import type { BaseMessage } from '@langchain/core/messages';
import type { TokenCounter } from '../token-counter.js';
import { startsExchange } from './message-values.js';

/** Messages split into the older ones beyond the budget and the recent ones within it. */
export interface BudgetSplit {
  readonly pruned: BaseMessage[];
  readonly kept: BaseMessage[];
  readonly keptTokens: number;
}

async function countAll(
  messages: readonly BaseMessage[],
  counter: TokenCounter,
  op: string,
): Promise<number[]> {
  const counts = await Promise.all(messages.map(async (m) => counter(m)));
  for (const count of counts) {
    if (typeof count !== 'number' || !Number.isFinite(count) || count < 0) {
      throw new OrchestrationError(
        'invalid_config',
        `${op}: the token counter returned ${String(count)}; it must return a finite number >= 0`,
        { op },
      );
    }
  }
  return counts;
}

/**
 * Keeps the newest messages that fit in `maxTokens`, cutting at the start of an exchange (see
 * startsExchange) so no answer loses its question. When even the newest exchange does not fit, it is
 * cut message by message from its oldest end.
 */
export async function splitToBudget(
  messages: readonly BaseMessage[],
  maxTokens: number,
  counter: TokenCounter,
  op: string,
): Promise<BudgetSplit> {
  const counts = await countAll(messages, counter, op);
  const suffix = new Array<number>(messages.length + 1).fill(0);
  for (let i = messages.length - 1; i >= 0; i--)
    suffix[i] = (suffix[i + 1] as number) + (counts[i] as number);
  const fits = (i: number): boolean => (suffix[i] as number) <= maxTokens;
  let cut = messages.length;
  let lastBoundary = 0;
  for (let i = 0; i < messages.length; i++) {
    if (!startsExchange(messages, i)) continue;
    lastBoundary = i;
    if (fits(i)) {
      cut = i;
      break;
    }
  }
  if (cut === messages.length) {
    cut = lastBoundary;
    while (cut < messages.length && !fits(cut)) cut++;
  }
  return {
    pruned: messages.slice(0, cut),
    kept: messages.slice(cut),
    keptTokens: suffix[cut] as number,
  };
}
