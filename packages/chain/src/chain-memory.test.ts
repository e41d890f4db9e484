import { describe, expect, it } from 'vitest';
import {
  withChainMemory,
  withChainName,
  withChainOutputKeys,
  withChainTimeout,
} from './chain-options.js';
import { createChain } from './create-chain.js';
import { testMemory } from '../test/fixtures.js';

interface Turn {
  readonly question: string;
  readonly history?: readonly string[];
}

const answer = (input: Turn) => ({
  answer: `${input.question.toUpperCase()} (after ${input.history?.length ?? 0} turns)`,
  seen: input.history ?? [],
});

describe('memory', () => {
  it('remembers across invocations: loads before the first step, saves after the last', async () => {
    const memory = testMemory();
    const chain = createChain(
      [answer],
      withChainMemory(memory),
      withChainOutputKeys('answer'),
    )._unsafeUnwrap();
    const first = (await chain.invoke({ question: 'hi' }))._unsafeUnwrap();
    const second = (await chain.invoke({ question: 'again' }))._unsafeUnwrap();
    expect(first).toEqual({ answer: 'HI (after 0 turns)' });
    expect(second).toEqual({ answer: 'AGAIN (after 1 turns)' });
    expect(memory.exchanges).toEqual([
      { inputs: { question: 'hi' }, outputs: { answer: 'HI (after 0 turns)' } },
      { inputs: { question: 'again' }, outputs: { answer: 'AGAIN (after 1 turns)' } },
    ]);
    expect(memory.loads).toEqual([{ question: 'hi' }, { question: 'again' }]);
  });

  it('merges memory under the input: the input wins', async () => {
    const memory = testMemory();
    memory.exchanges.push({ inputs: { question: 'old' }, outputs: { answer: 'OLD' } });
    let seen: unknown;
    const chain = createChain(
      [
        (input: Turn) => {
          seen = input.history;
          return 'ok';
        },
      ],
      withChainMemory(memory),
    )._unsafeUnwrap();
    await chain.invoke({ question: 'q' });
    expect(seen).toEqual(['old -> OLD']);
    await chain.invoke({ question: 'q', history: ['mine'] });
    expect(seen).toEqual(['mine']);
  });

  it('saves a non-object output under the key "output"', async () => {
    const memory = testMemory();
    const chain = createChain(
      [(t: Turn) => `echo ${t.question}`],
      withChainMemory(memory),
    )._unsafeUnwrap();
    expect((await chain.invoke({ question: 'x' }))._unsafeUnwrap()).toBe('echo x');
    expect(memory.exchanges[0]?.outputs).toEqual({ output: 'echo x' });
  });

  it('fails with dependency_failed and runs no step when load fails', async () => {
    const memory = testMemory();
    memory.failLoad = true;
    let ran = false;
    const chain = createChain(
      [
        (t: Turn) => {
          ran = true;
          return t;
        },
      ],
      withChainMemory(memory),
      withChainName('qa'),
    )._unsafeUnwrap();
    const e = (await chain.invoke({ question: 'x' }))._unsafeUnwrapErr();
    expect(e.code).toBe('dependency_failed');
    expect(e.message).toContain('chain "qa": memory load failed: store is down');
    expect(e.details['phase']).toBe('load');
    expect(ran).toBe(false);
  });

  it('fails with dependency_failed when save fails, keeping the output in details.output', async () => {
    const memory = testMemory();
    memory.failSave = true;
    const chain = createChain(
      [answer],
      withChainMemory(memory),
      withChainOutputKeys('answer'),
    )._unsafeUnwrap();
    const e = (await chain.invoke({ question: 'hi' }))._unsafeUnwrapErr();
    expect(e.code).toBe('dependency_failed');
    expect(e.message).toContain('memory save failed: disk full');
    expect(e.details['output']).toEqual({ answer: 'HI (after 0 turns)' });
    expect(e.details['phase']).toBe('save');
  });

  it('maps a memory that throws instead of returning Err', async () => {
    const memory = testMemory();
    memory.load = () => {
      throw new Error('sync boom');
    };
    const chain = createChain([answer], withChainMemory(memory))._unsafeUnwrap();
    const e = (await chain.invoke({ question: 'hi' }))._unsafeUnwrapErr();
    expect(e.code).toBe('dependency_failed');
    expect(e.message).toContain('sync boom');
  });

  it('keeps the timeout code, and the output, when the chain deadline passes during save', async () => {
    const memory = testMemory();
    memory.hangSave = true;
    const chain = createChain(
      [answer],
      withChainMemory(memory),
      withChainTimeout(20),
    )._unsafeUnwrap();
    const e = (await chain.invoke({ question: 'hi' }))._unsafeUnwrapErr();
    expect(e.code).toBe('timeout');
    expect(e.details['output']).toMatchObject({ answer: 'HI (after 0 turns)' });
  });

  it('rejects a non-object input with invalid_input', async () => {
    const chain = createChain([(s: string) => s], withChainMemory(testMemory()))._unsafeUnwrap();
    const e = (await chain.invoke('plain text'))._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain('must be an object');
  });
});
