import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { fails, ok } from '../test/helpers.js';
import { withReturnMessages } from './memory-options.js';
import { createWindowMemory, withWindowSize } from './window-memory.js';

describe('createWindowMemory', () => {
  it('shows the last k exchanges (default 5), not the last k messages', async () => {
    const memory = await ok(createWindowMemory(withWindowSize(2), withReturnMessages()));
    await ok(memory.save({ input: 'q1' }, { output: 'a1' }));
    // One exchange answered by three messages still counts once.
    await ok(
      memory.save(
        { input: 'q2' },
        { output: [new AIMessage('a2.1'), new AIMessage('a2.2'), new AIMessage('a2.3')] },
      ),
    );
    await ok(memory.save({ input: 'q3' }, { output: 'a3' }));
    const texts = ((await ok(memory.load({})))['history'] as BaseMessage[]).map((m) => m.text);
    expect(texts).toEqual(['q2', 'a2.1', 'a2.2', 'a2.3', 'q3', 'a3']);
    // The history keeps everything; the window applies when loading.
    expect(await ok(memory.chatHistory.getMessages())).toHaveLength(8);
  });

  it('counts an input given as several human messages as one exchange', async () => {
    const memory = await ok(createWindowMemory(withWindowSize(1), withReturnMessages()));
    await ok(memory.save({ input: 'q1' }, { output: 'a1' }));
    await ok(
      memory.save(
        { input: [new HumanMessage('look at this'), new HumanMessage('and this')] },
        { output: 'seen both' },
      ),
    );
    const texts = ((await ok(memory.load({})))['history'] as BaseMessage[]).map((m) => m.text);
    expect(texts).toEqual(['look at this', 'and this', 'seen both']);
  });

  it('defaults to 5 exchanges and formats a string', async () => {
    const memory = await ok(createWindowMemory());
    for (let i = 1; i <= 7; i++) await ok(memory.save({ input: `q${i}` }, { output: `a${i}` }));
    const history = (await ok(memory.load({})))['history'] as string;
    expect(history.startsWith('Human: q3\nAI: a3')).toBe(true);
    expect(history.endsWith('Human: q7\nAI: a7')).toBe(true);
  });

  it('rejects a window that is not a positive whole number', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      const error = await fails(createWindowMemory(withWindowSize(bad)));
      expect(error.code).toBe('invalid_config');
      expect(error.message).toContain('windowSize');
    }
  });
});
