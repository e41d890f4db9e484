import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrchestrationError, runnable } from '@baton/core';
import { type BaseMessage } from '@langchain/core/messages';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { err } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { fails, ok } from '../test/helpers.js';
import { createFileChatHistory } from './file-chat-history.js';
import { withDirectory } from './file-options.js';
import { withChatHistory, withReturnMessages } from './memory-options.js';
import type { SummaryInput } from './summarizer.js';
import { createSummaryMemory } from './summary-memory.js';

/** A deterministic summarizer: appends the new lines to the summary, recording its inputs. */
function recordingSummarizer() {
  const calls: SummaryInput[] = [];
  const summarizer = runnable('summarize', (input: SummaryInput) => {
    calls.push(input);
    return [input.summary, input.newLines.replace(/\n/g, '; ')].filter((s) => s !== '').join(' | ');
  });
  return { calls, summarizer };
}

describe('createSummaryMemory', () => {
  it('folds each exchange into a running summary and loads only the summary', async () => {
    const { calls, summarizer } = recordingSummarizer();
    const memory = await ok(createSummaryMemory(summarizer));
    expect(await ok(memory.load({}))).toEqual({ history: '' });
    await ok(memory.save({ input: 'I am Ada' }, { output: 'Hi Ada' }));
    await ok(memory.save({ input: 'I like tea' }, { output: 'Noted' }));
    expect(calls.map((c) => c.summary)).toEqual(['', 'Human: I am Ada; AI: Hi Ada']);
    expect(calls[1]?.messages.map((m) => m.text)).toEqual(['I like tea', 'Noted']);
    expect(await ok(memory.load({}))).toEqual({
      history: 'Human: I am Ada; AI: Hi Ada | Human: I like tea; AI: Noted',
    });
    // Only the summary is stored.
    expect(await ok(memory.chatHistory.getMessages())).toHaveLength(1);
  });

  it('returns the summary as one SystemMessage with withReturnMessages', async () => {
    const { summarizer } = recordingSummarizer();
    const memory = await ok(createSummaryMemory(summarizer, withReturnMessages()));
    await ok(memory.save({ input: 'q' }, { output: 'a' }));
    const messages = (await ok(memory.load({})))['history'] as BaseMessage[];
    expect(messages.map((m) => [m.type, m.text])).toEqual([['system', 'Human: q; AI: a']]);
  });

  it('accepts a summarizer whose output is a chat model message', async () => {
    const model = new FakeListChatModel({
      responses: ['Ada introduced herself.', 'Ada likes tea.'],
    });
    const summarizer = runnable('llm-summary', (input: SummaryInput) =>
      model.invoke(`Summary: ${input.summary}\nNew lines:\n${input.newLines}`),
    );
    const memory = await ok(createSummaryMemory(summarizer));
    await ok(memory.save({ input: 'I am Ada' }, { output: 'Hi' }));
    await ok(memory.save({ input: 'I like tea' }, { output: 'Noted' }));
    expect(await ok(memory.load({}))).toEqual({ history: 'Ada likes tea.' });
  });

  it('keeps the summary in a durable history across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-summary-'));
    try {
      const open = async () =>
        ok(
          createSummaryMemory(
            recordingSummarizer().summarizer,
            withChatHistory(await ok(createFileChatHistory('s', withDirectory(dir)))),
          ),
        );
      await ok((await open()).save({ input: 'q1' }, { output: 'a1' }));
      const reopened = await open();
      await ok(reopened.save({ input: 'q2' }, { output: 'a2' }));
      expect(await ok(reopened.load({}))).toEqual({
        history: 'Human: q1; AI: a1 | Human: q2; AI: a2',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when the summarizer fails, save fails with its code, keeps the exchange and retries next time', async () => {
    let failNext = true;
    const summarizer = runnable('flaky', (input: SummaryInput) => {
      if (failNext) {
        failNext = false;
        return err(new OrchestrationError('rate_limit_exceeded', 'slow down'));
      }
      return `${input.summary}[${input.messages.map((m) => m.text).join(',')}]`;
    });
    const memory = await ok(createSummaryMemory(summarizer));
    const error = await fails(memory.save({ input: 'q1' }, { output: 'a1' }));
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toContain('the exchange was saved');
    // Not yet summarized, but not lost: load shows it verbatim.
    expect(await ok(memory.load({}))).toEqual({ history: 'Human: q1\nAI: a1' });
    await ok(memory.save({ input: 'q2' }, { output: 'a2' }));
    expect(await ok(memory.load({}))).toEqual({ history: '[q1,a1,q2,a2]' });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a plain object', { text: 'not a message' }],
  ])(
    'a summarizer returning %s fails save with invalid_config and loses nothing',
    async (_what, value) => {
      let broken = true;
      const summarizer = runnable('summarize', (input: SummaryInput) =>
        broken ? (value as unknown as string) : `[${input.messages.map((m) => m.text).join(',')}]`,
      );
      const memory = await ok(createSummaryMemory(summarizer));
      const error = await fails(memory.save({ input: 'q1' }, { output: 'a1' }));
      expect(error.code).toBe('invalid_config');
      expect(error.message).toContain('summarizer');
      expect(error.message).toContain('the exchange was saved');
      expect(await ok(memory.load({}))).toEqual({ history: 'Human: q1\nAI: a1' });
      broken = false;
      await ok(memory.save({ input: 'q2' }, { output: 'a2' }));
      expect(await ok(memory.load({}))).toEqual({ history: '[q1,a1,q2,a2]' });
    },
  );

  it('concurrent saves fold every exchange exactly once, in call order', async () => {
    const calls: string[][] = [];
    let started: () => void = () => undefined;
    const firstCall = new Promise<void>((resolve) => (started = resolve));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const summarizer = runnable('summarize', async (input: SummaryInput) => {
      calls.push(input.messages.map((m) => m.text));
      started();
      await gate;
      return `${input.summary}<${input.messages.map((m) => m.text).join(',')}>`;
    });
    const memory = await ok(createSummaryMemory(summarizer));
    const saves = Array.from({ length: 8 }, (_, i) =>
      memory.save({ input: `q${i}` }, { output: `a${i}` }),
    );
    // Every save is issued while the first fold is still waiting for its summarizer.
    await firstCall;
    expect(calls).toHaveLength(1);
    release();
    for (const result of await Promise.all(saves)) expect(result.isOk()).toBe(true);
    const folded = calls.flat();
    expect(folded).toEqual(Array.from({ length: 8 }, (_, i) => [`q${i}`, `a${i}`]).flat());
    expect(await ok(memory.load({}))).toEqual({
      history: Array.from({ length: 8 }, (_, i) => `<q${i},a${i}>`).join(''),
    });
  });

  it('clear() forgets the summary', async () => {
    const memory = await ok(createSummaryMemory(recordingSummarizer().summarizer));
    await ok(memory.save({ input: 'q' }, { output: 'a' }));
    await ok(memory.clear());
    expect(await ok(memory.load({}))).toEqual({ history: '' });
  });

  it('rejects a summarizer that is not a Runnable with invalid_config', async () => {
    const error = await fails(createSummaryMemory({} as never));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('summarizer');
  });
});
