import { describe, expect, it } from 'vitest';
import { withChainInputKeys, withChainOutputKeys } from '../chain-options.js';
import { createChain } from '../create-chain.js';

describe('input and output keys', () => {
  const echo = (x: Record<string, unknown>) => ({ ...x, answer: 'yes', extra: 1 });

  it('fails with invalid_input naming a missing key before any step runs', async () => {
    let ran = false;
    const chain = createChain(
      [
        (x: Record<string, unknown>) => {
          ran = true;
          return x;
        },
      ],
      withChainInputKeys('question', 'user'),
    )._unsafeUnwrap();
    const e = (await chain.invoke({ question: 'why?' }))._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain('"user"');
    expect(ran).toBe(false);
    const notObject = (await chain.invoke('why?' as never))._unsafeUnwrapErr();
    expect(notObject.code).toBe('invalid_input');
  });

  it('picks declared output keys from the final output', async () => {
    const chain = createChain([echo], withChainOutputKeys('answer'))._unsafeUnwrap();
    expect((await chain.invoke({ question: 'q' }))._unsafeUnwrap()).toEqual({ answer: 'yes' });
  });

  it('fails, naming the key, when the last output lacks a declared key', async () => {
    const chain = createChain([echo], withChainOutputKeys('answer', 'sources'))._unsafeUnwrap();
    const e = (await chain.invoke({}))._unsafeUnwrapErr();
    expect(e.code).toBe('execution_failed');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('"sources"');
  });
});
