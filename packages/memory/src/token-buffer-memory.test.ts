import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fails, ok } from '../test/helpers.js';
import { splitToBudget } from './internal/token-budget.js';
import { withReturnMessages } from './memory-options.js';
import { createTokenBufferMemory, withMaxTokens, withTokenCounter } from './token-buffer-memory.js';
import { approximateTokenCount, MEDIA_PART_TOKENS } from './token-counter.js';

/** One token per character: easy to reason about in tests. */
const charCounter = (m: BaseMessage): number => m.text.length;

describe('approximateTokenCount', () => {
  it('counts about 4 characters per token plus 4 per message', () => {
    expect(approximateTokenCount(new HumanMessage(''))).toBe(4);
    expect(approximateTokenCount(new HumanMessage('hello world'))).toBe(7);
    const withImage = new HumanMessage({
      content: [
        { type: 'text', text: 'what is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      ],
    });
    expect(approximateTokenCount(withImage)).toBe(4 + 4 + MEDIA_PART_TOKENS);
    const withTools = new AIMessage({
      content: '',
      tool_calls: [{ id: '1', name: 'f', args: {}, type: 'tool_call' }],
    });
    expect(approximateTokenCount(withTools)).toBeGreaterThan(4);
  });
});

describe('createTokenBufferMemory', () => {
  it('deletes the oldest exchanges from the history once over the budget', async () => {
    const memory = await ok(
      createTokenBufferMemory(
        withMaxTokens(10),
        withTokenCounter(charCounter),
        withReturnMessages(),
      ),
    );
    await ok(memory.save({ input: 'aaa' }, { output: 'bbb' })); // 6
    await ok(memory.save({ input: 'cc' }, { output: 'dd' })); // 10
    expect(await ok(memory.chatHistory.getMessages())).toHaveLength(4);
    await ok(memory.save({ input: 'e' }, { output: 'f' })); // 12 -> drop the first exchange
    const stored = (await ok(memory.chatHistory.getMessages())).map((m) => m.text);
    expect(stored).toEqual(['cc', 'dd', 'e', 'f']);
    expect(((await ok(memory.load({})))['history'] as BaseMessage[]).map((m) => m.text)).toEqual(
      stored,
    );
  });

  it('cuts inside the newest exchange only when it alone exceeds the budget', async () => {
    const memory = await ok(
      createTokenBufferMemory(withMaxTokens(5), withTokenCounter(charCounter)),
    );
    await ok(memory.save({ input: 'long question' }, { output: 'ok' }));
    expect((await ok(memory.chatHistory.getMessages())).map((m) => m.text)).toEqual(['ok']);
  });

  it('supports async counters and the default counter', async () => {
    const memory = await ok(
      createTokenBufferMemory(
        withTokenCounter(async (m) => Promise.resolve(m.text.length)),
        withMaxTokens(3),
      ),
    );
    await ok(memory.save({ input: 'abc' }, { output: 'de' }));
    expect((await ok(memory.chatHistory.getMessages())).map((m) => m.text)).toEqual(['de']);
    const defaults = await ok(createTokenBufferMemory());
    await ok(defaults.save({ input: 'x'.repeat(100) }, { output: 'y' }));
    expect(await ok(defaults.chatHistory.getMessages())).toHaveLength(2); // far below 2000
  });

  it('fails save with a typed error when the counter misbehaves', async () => {
    const memory = await ok(createTokenBufferMemory(withTokenCounter(() => Number.NaN)));
    const error = await fails(memory.save({ input: 'a' }, { output: 'b' }));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('token counter');
    const throwing = await ok(
      createTokenBufferMemory(
        withTokenCounter(() => {
          throw new Error('tokenizer missing');
        }),
      ),
    );
    expect((await fails(throwing.save({ input: 'a' }, { output: 'b' }))).message).toContain(
      'tokenizer missing',
    );
  });

  it('rejects invalid options', async () => {
    expect((await fails(createTokenBufferMemory(withMaxTokens(-1)))).message).toContain(
      'maxTokens',
    );
    expect((await fails(createTokenBufferMemory(withTokenCounter(5 as never)))).message).toContain(
      'tokenCounter',
    );
  });
});

describe('splitToBudget', () => {
  const message = fc
    .tuple(fc.boolean(), fc.string({ maxLength: 6 }))
    .map(([human, text]) => (human ? new HumanMessage(text) : new AIMessage(text)));

  it('keeps the longest suffix within budget that starts an exchange (or cuts the last one)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { maxLength: 12 }),
        fc.integer({ min: 0, max: 30 }),
        async (messages, max) => {
          const { kept, pruned, keptTokens } = await splitToBudget(
            messages,
            max,
            charCounter,
            'test',
          );
          expect([...pruned, ...kept]).toEqual(messages);
          expect(keptTokens).toBeLessThanOrEqual(max);
          expect(keptTokens).toBe(kept.reduce((sum, m) => sum + m.text.length, 0));
          // Reference: the earliest exchange start whose suffix fits.
          const cost = (from: number) =>
            messages.slice(from).reduce((s, m) => s + m.text.length, 0);
          const starts = messages
            .map((m, i) =>
              i === 0 || (m.type === 'human' && messages[i - 1]?.type !== 'human') ? i : -1,
            )
            .filter((i) => i >= 0);
          const fitting = starts.find((i) => cost(i) <= max);
          if (fitting !== undefined) expect(pruned).toHaveLength(fitting);
          else if (messages.length > 0) {
            // Even the newest exchange is too big: kept is the longest fitting suffix of it.
            const last = starts.at(-1) as number;
            let cut = last;
            while (cut < messages.length && cost(cut) > max) cut++;
            expect(pruned).toHaveLength(cut);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
