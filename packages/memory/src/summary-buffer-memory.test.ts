import { runnable } from '@baton/core';
import type { BaseMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { fails, ok } from '../test/helpers.js';
import { withReturnMessages } from './memory-options.js';
import type { SummaryInput } from './summarizer.js';
import { createSummaryBufferMemory } from './summary-buffer-memory.js';
import { withMaxTokens, withTokenCounter } from './token-buffer-memory.js';

const charCounter = (m: BaseMessage): number => m.text.length;

function summarizer() {
  const calls: SummaryInput[] = [];
  const r = runnable('summarize', (input: SummaryInput) => {
    calls.push(input);
    return `${input.summary}<${input.messages.map((m) => m.text).join(',')}>`;
  });
  return { calls, summarizer: r };
}

describe('createSummaryBufferMemory', () => {
  it('only appends while the recent messages fit in the budget', async () => {
    const { calls, summarizer: s } = summarizer();
    const memory = await ok(
      createSummaryBufferMemory(s, withMaxTokens(100), withTokenCounter(charCounter)),
    );
    await ok(memory.save({ input: 'q1' }, { output: 'a1' }));
    await ok(memory.save({ input: 'q2' }, { output: 'a2' }));
    expect(calls).toHaveLength(0);
    expect(await ok(memory.load({}))).toEqual({ history: 'Human: q1\nAI: a1\nHuman: q2\nAI: a2' });
  });

  it('folds the oldest exchanges into the summary and really deletes them once over budget', async () => {
    const { calls, summarizer: s } = summarizer();
    const memory = await ok(
      createSummaryBufferMemory(
        s,
        withMaxTokens(8),
        withTokenCounter(charCounter),
        withReturnMessages(),
      ),
    );
    await ok(memory.save({ input: 'q1' }, { output: 'a1' })); // 4
    await ok(memory.save({ input: 'q2' }, { output: 'a2' })); // 8
    await ok(memory.save({ input: 'q3' }, { output: 'a3' })); // 12 -> fold q1/a1
    expect(calls.map((c) => c.messages.map((m) => m.text))).toEqual([['q1', 'a1']]);
    const stored = await ok(memory.chatHistory.getMessages());
    expect(stored.map((m) => m.text)).toEqual(['<q1,a1>', 'q2', 'a2', 'q3', 'a3']);
    const loaded = (await ok(memory.load({})))['history'] as BaseMessage[];
    expect(loaded.map((m) => [m.type, m.text])).toEqual([
      ['system', '<q1,a1>'],
      ['human', 'q2'],
      ['ai', 'a2'],
      ['human', 'q3'],
      ['ai', 'a3'],
    ]);
    await ok(memory.save({ input: 'q4-x' }, { output: 'a4' })); // 14 -> folds q2/a2 and q3/a3
    expect(calls[1]?.summary).toBe('<q1,a1>');
    const after = (await ok(memory.chatHistory.getMessages())).map((m) => m.text);
    expect(after).toEqual(['<q1,a1><q2,a2,q3,a3>', 'q4-x', 'a4']);
  });

  it('loads the summary then the recent lines as one string', async () => {
    const memory = await ok(
      createSummaryBufferMemory(
        summarizer().summarizer,
        withMaxTokens(4),
        withTokenCounter(charCounter),
      ),
    );
    await ok(memory.save({ input: 'q1' }, { output: 'a1' }));
    await ok(memory.save({ input: 'q2' }, { output: 'a2' }));
    expect(await ok(memory.load({}))).toEqual({ history: '<q1,a1>\nHuman: q2\nAI: a2' });
  });

  it('keeps the stored history bounded over many turns', async () => {
    const memory = await ok(
      createSummaryBufferMemory(
        summarizer().summarizer,
        withMaxTokens(20),
        withTokenCounter(charCounter),
      ),
    );
    for (let i = 0; i < 50; i++) await ok(memory.save({ input: `q${i}` }, { output: `a${i}` }));
    const stored = await ok(memory.chatHistory.getMessages());
    expect(stored.length).toBeLessThanOrEqual(1 + 8);
    expect(stored.slice(1).reduce((n, m) => n + m.text.length, 0)).toBeLessThanOrEqual(20);
  });

  it('rejects invalid options', async () => {
    const error = await fails(
      createSummaryBufferMemory(summarizer().summarizer, withMaxTokens(1.5)),
    );
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('maxTokens');
  });
});
