import { inspect } from 'node:util';
import { AIMessage, BaseMessage, HumanMessage } from '@langchain/core/messages';
import { OrchestrationError, type MemoryValues } from '@baton/core';

/** Text of any value: strings as they are, messages by their text, anything else as JSON. */
export function stringifyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (BaseMessage.isInstance(value)) return value.text;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => BaseMessage.isInstance(v))) {
    return value.map((m) => m.text).join('\n');
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === undefined) return '';
  try {
    const json = JSON.stringify(value) as string | undefined;
    if (json !== undefined) return json;
  } catch {
    // cycles and the like: fall through to a readable rendering
  }
  return inspect(value, { depth: 4, breakLength: Infinity });
}

/**
 * The messages one side of an exchange contributes: a message or a list of messages is kept as
 * is; any other value becomes one human (or AI) message holding its text. `undefined` adds none.
 */
function toMessages(value: unknown, role: 'human' | 'ai'): BaseMessage[] {
  if (value === undefined) return [];
  if (BaseMessage.isInstance(value)) return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => BaseMessage.isInstance(v))) {
    return [...value];
  }
  const text = stringifyValue(value);
  return [role === 'human' ? new HumanMessage(text) : new AIMessage(text)];
}

/**
 * The value of one side of an exchange. With an explicit `key`, that key (absent -> `undefined`).
 * Otherwise, ignoring `exclude` (the memory's own keys, which a chain merges into its inputs):
 * the only key, else `preferred` when present, else the whole remaining record.
 */
export function pickValue(
  values: MemoryValues,
  key: string | undefined,
  exclude: readonly string[],
  preferred: string,
): unknown {
  if (typeof values !== 'object' || values === null) {
    throw new OrchestrationError(
      'invalid_input',
      `memory: inputs and outputs must be records of values (e.g. { input: 'hi' }), got ${String(values)}`,
    );
  }
  if (key !== undefined) return values[key];
  const keys = Object.keys(values).filter((k) => !exclude.includes(k));
  if (keys.length === 0) return undefined;
  if (keys.length === 1) return values[keys[0] as string];
  if (keys.includes(preferred)) return values[preferred];
  const rest: Record<string, unknown> = {};
  for (const k of keys) rest[k] = values[k];
  return rest;
}

/** The messages of one exchange: the human side, then the AI side. */
export function exchangeMessages(
  inputs: MemoryValues,
  outputs: MemoryValues,
  keys: {
    inputKey: string | undefined;
    outputKey: string | undefined;
    memoryKeys: readonly string[];
  },
): BaseMessage[] {
  const input = pickValue(inputs, keys.inputKey, keys.memoryKeys, 'input');
  const output = pickValue(outputs, keys.outputKey, [], 'output');
  return [...toMessages(input, 'human'), ...toMessages(output, 'ai')];
}

/**
 * True when `messages[i]` starts an exchange: the first message, or a human message that follows
 * an answer. Consecutive human messages (one input given as several messages) are one exchange.
 */
export function startsExchange(messages: readonly BaseMessage[], i: number): boolean {
  return i === 0 || (messages[i]?.type === 'human' && messages[i - 1]?.type !== 'human');
}

/**
 * Splits messages into exchanges (see {@link startsExchange}); whatever precedes the first human
 * message (a system message, a summary) is an exchange of its own.
 */
export function groupExchanges(messages: readonly BaseMessage[]): BaseMessage[][] {
  const groups: BaseMessage[][] = [];
  let current: BaseMessage[] = [];
  messages.forEach((message, i) => {
    if (current.length > 0 && startsExchange(messages, i)) {
      groups.push(current);
      current = [];
    }
    current.push(message);
  });
  if (current.length > 0) groups.push(current);
  return groups;
}
