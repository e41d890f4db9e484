import type { Result } from 'neverthrow';
import {
  runnable,
  type Chain,
  type ChainConfig,
  type ChainProvider,
  type Runnable,
} from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultChainRegistry, registerChainProvider } from './chain-registry.js';
import {
  withChainDescription,
  withChainInputKeys,
  withChainMemory,
  withChainName,
  withChainOutputKeys,
  withChainProvider,
  withChainRetries,
  withChainRetryPolicy,
  withChainStepTimeout,
  withChainTimeout,
  type ChainOption,
} from './chain-options.js';
import { createChain, createChainWithRegistry } from './create-chain.js';
import { simpleChainProvider } from './simple-chain.js';
import { testMemory } from '../test/fixtures.js';

const double = runnable('double', (n: number) => n * 2);

function failure(options: ChainOption[]) {
  return createChain([double], ...options)._unsafeUnwrapErr();
}

describe('createChain options', () => {
  it('applies every option to the chain', () => {
    const memory = testMemory();
    const chain = createChain(
      [(x: Record<string, unknown>) => ({ answer: x })],
      withChainName('qa'),
      withChainDescription('answers questions'),
      withChainMemory(memory),
      withChainInputKeys('question'),
      withChainOutputKeys('answer'),
    )._unsafeUnwrap();
    expect(chain.name).toBe('qa');
    expect(chain.description).toBe('answers questions');
    expect(chain.memory).toBe(memory);
    expect(chain.inputKeys).toEqual(['question']);
    expect(chain.outputKeys).toEqual(['answer']);
  });

  it('has documented defaults', () => {
    const chain = createChain([double])._unsafeUnwrap();
    expect(chain.name).toBe('chain');
    expect(chain.description).toBe('');
    expect(chain.memory).toBeUndefined();
    expect(chain.inputKeys).toEqual([]);
    expect(chain.outputKeys).toEqual([]);
  });

  it.each<[string, ChainOption, string]>([
    ['negative chain timeout', withChainTimeout(-1), 'withChainTimeout'],
    ['NaN chain timeout', withChainTimeout(Number.NaN), 'withChainTimeout'],
    ['infinite chain timeout', withChainTimeout(Number.POSITIVE_INFINITY), 'timeoutMs'],
    ['negative step timeout', withChainStepTimeout(-5), 'withChainStepTimeout'],
    ['NaN step timeout', withChainStepTimeout(Number.NaN), 'stepTimeoutMs'],
    ['negative retries', withChainRetries(-1), 'withChainRetries'],
    ['fractional retries', withChainRetries(1.5), 'withChainRetries'],
    ['NaN retries', withChainRetries(Number.NaN), 'retries'],
    ['empty name', withChainName(''), 'withChainName'],
    ['blank name', withChainName('   '), 'withChainName'],
    ['empty provider', withChainProvider(''), 'withChainProvider'],
    ['empty input key', withChainInputKeys(''), 'withChainInputKeys'],
    ['duplicate output key', withChainOutputKeys('a', 'a'), 'withChainOutputKeys'],
    ['memory without load', withChainMemory({} as never), 'withChainMemory'],
    ['negative retry delay', withChainRetryPolicy({ initialDelayMs: -1 }), 'withChainRetryPolicy'],
    ['jitter above 1', withChainRetryPolicy({ jitter: 2 }), 'jitter'],
    [
      'maxAttempts in the retry policy',
      withChainRetryPolicy({ maxAttempts: 3 } as object),
      'set the attempts with withChainRetries',
    ],
  ])('rejects %s with invalid_config naming the option', (_label, option, named) => {
    const e = failure([option]);
    expect(e.code).toBe('invalid_config');
    expect(e.message).toContain(named);
  });

  it('rejects something that is not an option', () => {
    const e = failure([42 as unknown as ChainOption]);
    expect(e.code).toBe('invalid_config');
    expect(e.message).toContain('option #1');
  });

  it('lets the last option win, and a policy maxAttempts sets the retries', () => {
    const seen: Readonly<ChainConfig>[] = [];
    const spy: ChainProvider = {
      createChain(steps, config) {
        seen.push(config);
        return simpleChainProvider.createChain(steps, config);
      },
    };
    const registry = defaultChainRegistry().clone();
    registry.register('spy', spy)._unsafeUnwrap();
    createChainWithRegistry(
      registry,
      [double],
      withChainProvider('spy'),
      withChainName('a'),
      withChainName('b'),
    )._unsafeUnwrap();
    createChainWithRegistry(
      registry,
      [double],
      withChainProvider('spy'),
      withChainRetries(3),
    )._unsafeUnwrap();
    createChainWithRegistry(
      registry,
      [double],
      withChainProvider('spy'),
      withChainRetries(3),
      withChainRetryPolicy({ initialDelayMs: 7 }),
      withChainRetries(1),
    )._unsafeUnwrap();
    expect(seen.map((c) => c.name)).toEqual(['b', 'chain', 'chain']);
    expect(seen.map((c) => c.retries)).toEqual([0, 3, 1]);
    expect(seen.map((c) => c.retryPolicy.maxAttempts)).toEqual([1, 4, 2]);
    expect(seen[2]?.retryPolicy.initialDelayMs).toBe(7);
    expect(Object.isFrozen(seen[0])).toBe(true);
  });
});

describe('createChain steps', () => {
  it('accepts Runnables, functions and objects with invoke, in any mix', async () => {
    const invocable = { name: 'inc', invoke: (n: number) => Promise.resolve(n + 1) };
    const chain = createChain([
      double,
      (n: number) => n + 10,
      invocable,
      runnable('str', (n: number) => `=${n}`),
    ])._unsafeUnwrap();
    expect((await chain.invoke(1))._unsafeUnwrap()).toBe('=13');
  });

  it('passes the run signal to an invoke-able step, as LangChain expects', async () => {
    let seen: unknown;
    const invocable = {
      invoke: (n: number, options?: { signal?: AbortSignal }) => {
        seen = options?.signal;
        return n;
      },
    };
    const chain = createChain([invocable])._unsafeUnwrap();
    await chain.invoke(1, { signal: new AbortController().signal });
    expect(seen).toBeInstanceOf(AbortSignal);
  });

  it('returns an Err, never throws, on bad steps', () => {
    expect(() => createChain(undefined as never)).not.toThrow();
  });

  it.each<[string, unknown]>([
    ['an empty list', []],
    ['not an array', 'steps'],
  ])('rejects %s', (_label, steps) => {
    const e = createChain(steps as never)._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_config');
    expect(e.message).toContain('non-empty array');
  });

  it.each<[string, unknown, string]>([
    ['a number', 3, 'a number'],
    ['null', null, 'null'],
    ['an object without invoke', { run: () => 1 }, 'without an invoke method'],
  ])('rejects a step that is %s, naming its position', (_label, bad, described) => {
    const e = createChain([double, bad] as never)._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_config');
    expect(e.message).toContain('step #1');
    expect(e.message).toContain(described);
  });
});

describe('chain providers', () => {
  afterEach(() => {
    defaultChainRegistry().unregister('recording');
  });

  it('builds with the simple provider by default', () => {
    expect(defaultChainRegistry().list()).toContain('simple');
    expect(createChain([double]).isOk()).toBe(true);
  });

  it('uses a registered provider chosen by name, giving it Runnables and the config', async () => {
    const calls: { steps: readonly Runnable[]; config: Readonly<ChainConfig> }[] = [];
    const recording: ChainProvider = {
      createChain(steps, config): Result<Chain, never> {
        calls.push({ steps, config });
        return simpleChainProvider.createChain(steps, config) as Result<Chain, never>;
      },
    };
    registerChainProvider('recording', recording)._unsafeUnwrap();
    const chain = createChain(
      [double, (n: number) => n + 1],
      withChainProvider('recording'),
      withChainName('rec'),
    )._unsafeUnwrap();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.steps.map((s) => typeof s.invoke)).toEqual(['function', 'function']);
    expect(calls[0]?.config.name).toBe('rec');
    expect(calls[0]?.config.provider).toBe('recording');
    expect((await chain.invoke(2))._unsafeUnwrap()).toBe(5);
  });

  it('fails with not_found listing the registered names for an unknown provider', () => {
    const e = createChain([double], withChainProvider('nope'))._unsafeUnwrapErr();
    expect(e.code).toBe('not_found');
    expect(e.message).toContain('"nope"');
    expect(e.message).toContain('simple');
    expect(e.details['registered']).toEqual(defaultChainRegistry().list());
  });

  it('rejects a duplicate registration with invalid_config', () => {
    const e = registerChainProvider('simple', simpleChainProvider)._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_config');
  });

  it('reports a provider that throws or fails as an error, not a throw', () => {
    const registry = defaultChainRegistry().clone();
    registry
      .register('broken', {
        createChain: () => {
          throw new Error('boom');
        },
      })
      ._unsafeUnwrap();
    const e = createChainWithRegistry(
      registry,
      [double],
      withChainProvider('broken'),
    )._unsafeUnwrapErr();
    expect(e.code).toBe('execution_failed');
    expect(e.message).toContain('boom');
  });

  it('keeps a cloned registry apart from the default one', () => {
    const registry = defaultChainRegistry().clone();
    registry.register('only-here', simpleChainProvider)._unsafeUnwrap();
    expect(defaultChainRegistry().has('only-here')).toBe(false);
    expect(createChainWithRegistry(registry, [double], withChainProvider('only-here')).isOk()).toBe(
      true,
    );
    expect(createChain([double], withChainProvider('only-here')).isErr()).toBe(true);
  });
});

describe('withChainOutputKeys at run time (what its type promises)', () => {
  const answer = runnable('answer', (q: string) => ({ answer: q, tokens: q.length }));

  it('the last one wins, and one with no keys keeps the whole output', async () => {
    const last = createChain(
      [answer],
      withChainOutputKeys('answer'),
      withChainOutputKeys('tokens'),
    );
    expect((await last._unsafeUnwrap().invoke('hi'))._unsafeUnwrap()).toEqual({ tokens: 2 });
    const cleared = createChain([answer], withChainOutputKeys('answer'), withChainOutputKeys());
    expect((await cleared._unsafeUnwrap().invoke('hi'))._unsafeUnwrap()).toEqual({
      answer: 'hi',
      tokens: 2,
    });
    const whole = createChain([double], withChainOutputKeys());
    expect((await whole._unsafeUnwrap().invoke(2))._unsafeUnwrap()).toBe(4);
  });

  it('an optional key that is present is picked even when undefined', async () => {
    const optional = runnable('optional', (q: string): { a?: string | undefined; b: number } =>
      q === '' ? { a: undefined, b: 0 } : { b: q.length },
    );
    const chain = createChain([optional], withChainOutputKeys('a'))._unsafeUnwrap();
    expect((await chain.invoke(''))._unsafeUnwrap()).toEqual({ a: undefined });
    expect((await chain.invoke('x'))._unsafeUnwrapErr().code).toBe('execution_failed');
  });
});
