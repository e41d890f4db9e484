import {
  createRunStats,
  lastOutput,
  OrchestrationError,
  runnable,
  withRunStats,
  type Chain,
  type OrchestrationError as Err,
} from '@baton/core';
import type { Result } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createChain } from './create-chain.js';
import { withChainHooks, withChainName } from './chain-options.js';

type Mode = 'invoke' | 'batch' | 'stream';
const MODES: readonly Mode[] = ['invoke', 'batch', 'stream'];

async function runVia<I, O>(mode: Mode, c: Chain<I, O>, input: I): Promise<Result<O, Err>> {
  if (mode === 'invoke') return c.invoke(input);
  if (mode === 'batch') return (await c.batch([input])).map((outputs) => outputs[0] as O);
  return lastOutput(c.stream(input));
}

const add1 = runnable('add1', (n: number) => n + 1);
const times2 = runnable('times2', (n: number) => n * 2);
const fail = runnable('fail', (_n: number): number => {
  throw new OrchestrationError('dependency_failed', 'down');
});

describe.each(MODES)('withChainHooks under %s', (mode) => {
  it('before changes the chain input, after its output', async () => {
    const chain = createChain(
      [add1, times2],
      withChainHooks<number, number>({
        before: (n) => n * 10,
        after: runnable('after', (n: number) => -n),
      }),
    )._unsafeUnwrap();
    expect((await runVia(mode, chain, 1))._unsafeUnwrap()).toBe(-22);
  });

  it('onError recovers a failed run with an output', async () => {
    const chain = createChain(
      [add1, fail],
      withChainHooks<number, number>({
        onError: (e, info) => (e.code === 'dependency_failed' ? info.input : 0),
      }),
    )._unsafeUnwrap();
    expect((await runVia(mode, chain, 7))._unsafeUnwrap()).toBe(7);
  });

  it.each(['before', 'after', 'onError'] as const)(
    'a failing %s hook fails the run naming the hook and the chain',
    async (hook) => {
      const chain = createChain(
        hook === 'onError' ? [fail] : [add1],
        withChainName('pipeline'),
        withChainHooks({
          [hook]: () => Promise.reject(new Error('hook broke')),
        }),
      )._unsafeUnwrap();
      const e = (await runVia(mode, chain, 1))._unsafeUnwrapErr();
      expect(e.code).toBe('execution_failed');
      expect(e.details).toMatchObject({ hook, step: 'pipeline' });
      expect(e.message).toBe(`pipeline: its ${hook} hook failed: hook broke`);
    },
  );
});

describe('chain hooks and statistics', () => {
  it('rejects invalid hooks with invalid_config', () => {
    const e = createChain([add1], withChainHooks({ after: 'x' } as never))._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_config');
    expect(e.message).toContain('after hook must be a function or a Runnable');
  });

  it('withRunStats records every run of the chain, with its errors', async () => {
    const stats = createRunStats();
    const chain = createChain(
      [
        runnable('check', (n: number) => {
          if (n < 0) throw new OrchestrationError('invalid_input', 'negative');
          return n;
        }),
      ],
      withChainName('c'),
      withRunStats(stats),
    )._unsafeUnwrap();
    await chain.invoke(1);
    await chain.invoke(-1);
    await chain.batch([1, 2]);
    await lastOutput(chain.stream(3));
    expect(stats.summary().chains.c).toMatchObject({ count: 5, errors: 1, errorRate: 0.2 });
  });
});
