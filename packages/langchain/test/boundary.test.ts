/**
 * What crosses the boundary between LangChain and Baton, checked with LangChain's public API the
 * way its users write it: errors keep their identity, `configurable` and `tags` reach Baton
 * steps, a function returning a Runnable routes to it, and sync generators stream.
 */
import {
  OrchestrationError,
  lastOutput,
  runnable,
  sequence,
  withRetry,
  withTimeout,
  type StepContext,
} from '@baton/core';
import { createGraph } from '@baton/graph';
import { OutputParserException } from '@langchain/core/output_parsers';
import { RunnableLambda, RunnableSequence, type RunnableConfig } from '@langchain/core/runnables';
import { err } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { batonErrorOf, fromLangChain, toLangChain, withLangChainName } from '../src/index.js';
import { collect } from './support/collect.js';

/** A LangChain step whose parser rejects the text, as a real output parser does. */
function failingParser(thrown: Error[] = []): RunnableLambda<string, string> {
  return RunnableLambda.from((): string => {
    const error = new OutputParserException('TEST ERROR');
    thrown.push(error);
    throw error;
  });
}

describe('errors keep their identity across toLangChain', () => {
  it('a LangChain parser error comes back to LangChain as itself, through a Baton chain', async () => {
    const thrown: Error[] = [];
    const chain = sequence(
      fromLangChain(failingParser(thrown), withLangChainName('parser')),
      runnable('upper', (t: string) => t),
    );
    const error: unknown = await toLangChain(chain)
      .invoke('not json')
      .catch((e: unknown) => e);
    expect(error).toBe(thrown[0]);
    expect(error).toBeInstanceOf(OutputParserException);
    expect(error).toMatchObject({ lc_error_code: 'OUTPUT_PARSING_FAILURE' });
    // LangChain's own message (it appends a troubleshooting link), without a Baton prefix.
    expect((error as Error).message).toMatch(/^TEST ERROR/);
    // The Baton side of the story stays reachable.
    const baton = batonErrorOf(error);
    expect(baton).toBeInstanceOf(OrchestrationError);
    expect(baton).toMatchObject({ code: 'execution_failed', op: 'parser', retryable: false });
    expect((error as { batonError?: unknown }).batonError).toBe(baton);
  });

  it("withRetry's onFailedAttempt and the final rejection see the error the Baton step threw", async () => {
    const thrown: Error[] = [];
    const flaky = runnable('flaky', (): string => {
      const e = new Error('TEST ERROR');
      thrown.push(e);
      throw e;
    });
    const seen: string[] = [];
    const retrying = toLangChain(flaky).withRetry({
      stopAfterAttempt: 3,
      onFailedAttempt: (e: Error) => {
        seen.push(e.message);
      },
    });
    const error: unknown = await retrying.invoke('x').catch((e: unknown) => e);
    expect(seen).toEqual(['TEST ERROR', 'TEST ERROR', 'TEST ERROR']);
    expect(error).toBe(thrown[2]);
    expect(batonErrorOf(error)).toMatchObject({ code: 'execution_failed', op: 'flaky' });
  });

  it('batch with returnExceptions returns the error the user threw', async () => {
    const odd = new Error('TEST ERROR');
    const half = runnable('half', (n: number) => {
      if (n % 2 === 1) throw odd;
      return n / 2;
    });
    const lc = RunnableLambda.from((n: number) => n).pipe(toLangChain(half));
    const results = await lc.batch([2, 3, 4], {}, { returnExceptions: true });
    expect(results).toEqual([1, odd, 2]);
    expect(results[1]).toBe(odd);
    expect((results[1] as Error).message).toBe('TEST ERROR');
  });

  it('an error Baton made itself (Err of an OrchestrationError, timeout) is thrown as is', async () => {
    const refusal = new OrchestrationError('invalid_input', 'no empty strings');
    const picky = runnable('picky', (t: string) => (t === '' ? err(refusal) : t));
    await expect(toLangChain(picky).invoke('')).rejects.toBe(refusal);
    const slow = runnable('slow', () => new Promise<string>(() => undefined));
    const error: unknown = await toLangChain(withTimeout(slow, 10))
      .invoke('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'OrchestrationError', code: 'timeout' });
  });

  it('a parser error is not retried by Baton (not transient)', async () => {
    let calls = 0;
    const parser = RunnableLambda.from((): string => {
      calls++;
      throw new OutputParserException('TEST ERROR');
    });
    const step = withRetry(fromLangChain(parser), { maxAttempts: 3, initialDelayMs: 1 });
    const result = await step.invoke('x');
    expect(calls).toBe(1);
    expect(result._unsafeUnwrapErr()).toMatchObject({
      code: 'execution_failed',
      retryable: false,
      details: { lcErrorCode: 'OUTPUT_PARSING_FAILURE' },
    });
  });

  it('fromLangChain(toLangChain(r)) fails with the error r failed with', async () => {
    const thrower = runnable('thrower', (): string => {
      throw new Error('kaput');
    });
    const direct = (await thrower.invoke(undefined))._unsafeUnwrapErr();
    const back = (await fromLangChain(toLangChain(thrower)).invoke(undefined))._unsafeUnwrapErr();
    expect(back.message).toBe(direct.message);
    expect(back.code).toBe('execution_failed');
    expect(back.op).toBe('thrower');
  });
});

describe('configurable and tags reach Baton steps', () => {
  function spy(seen: StepContext[]) {
    return runnable('spy', (text: string, ctx: StepContext) => {
      seen.push(ctx);
      return text;
    });
  }

  it('RunnableSequence.batch passes configurable to every Baton step', async () => {
    const seen: StepContext[] = [];
    const seq = RunnableSequence.from([
      RunnableLambda.from((t: string) => t.trim()),
      toLangChain(spy(seen)),
    ]);
    expect(await seq.batch([' a', 'b '], { configurable: { user: 'ada' } })).toEqual(['a', 'b']);
    expect(seen.map((ctx) => ctx.configurable['user'])).toEqual(['ada', 'ada']);
  });

  it('withConfig({ tags }) reaches the steps of a Baton chain', async () => {
    const seen: StepContext[] = [];
    const chain = sequence(
      runnable('trim', (t: string) => t.trim()),
      spy(seen),
    );
    const lc = toLangChain(chain).withConfig({ tags: ['experiment-7'] });
    await lc.invoke(' x ', { configurable: { tenant: 't1' } });
    expect(seen[0]?.tags).toContain('experiment-7');
    expect(seen[0]?.configurable).toMatchObject({ tenant: 't1' });
  });

  it('withConfig({ configurable, tags }) reaches the nodes of a Baton graph', async () => {
    const seen: StepContext[] = [];
    const graph = createGraph<string, string>()._unsafeUnwrap();
    graph
      .addNode(
        'trim',
        runnable('trim', (t: string) => t.trim()),
      )
      ._unsafeUnwrap();
    graph.addNode('spy', spy(seen))._unsafeUnwrap();
    graph.addEdge('trim', 'spy')._unsafeUnwrap();
    const lc = toLangChain(graph).withConfig({ tags: ['g'], configurable: { user: 'ada' } });
    expect(await lc.invoke(' x ')).toBe('x');
    expect(await collect(await lc.stream(' y '))).toEqual(['y']);
    expect(seen.map((ctx) => [ctx.configurable['user'], ctx.tags.includes('g')])).toEqual([
      ['ada', true],
      ['ada', true],
    ]);
  });

  it('a step sees empty configurable and tags when none are given', async () => {
    const seen: StepContext[] = [];
    await toLangChain(spy(seen)).invoke('x');
    expect(seen[0]?.configurable).toEqual({});
    expect(seen[0]?.tags).toEqual([]);
  });

  it('they pass on to LangChain runnables inside the Baton run (fromLangChain)', async () => {
    const received: Partial<RunnableConfig>[] = [];
    const inner = RunnableLambda.from((t: string, config?: Partial<RunnableConfig>) => {
      if (config) received.push(config);
      return t;
    });
    const chain = sequence(
      runnable('trim', (t: string) => t.trim()),
      fromLangChain(inner),
    );
    await toLangChain(chain)
      .withConfig({ tags: ['outer'] })
      .invoke(' x ', { configurable: { user: 'ada' } });
    expect(received[0]?.configurable).toMatchObject({ user: 'ada' });
    expect(received[0]?.tags).toContain('outer');
  });

  it('Baton callers pass them in RunOptions; bad values are invalid_config', async () => {
    const seen: StepContext[] = [];
    const step = spy(seen);
    await step.invoke('x', { configurable: { model: 'small' }, tags: ['a'] });
    expect(seen[0]?.configurable).toEqual({ model: 'small' });
    expect(seen[0]?.tags).toEqual(['a']);
    const badTags = await step.invoke('x', { tags: 'a' as never });
    expect(badTags._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid_config',
      details: { field: 'tags' },
    });
    const badConfigurable = await step.invoke('x', { configurable: [] as never });
    expect(badConfigurable._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid_config',
      details: { field: 'configurable' },
    });
  });
});

describe('a function returning a Runnable', () => {
  const upper = runnable('upper', (t: string) => t.toUpperCase());
  const words = runnable('words', async function* (t: string) {
    for (const w of t.split(' ')) yield `${w} `;
  });
  const route = runnable('route', (t: string) => (t.startsWith('say ') ? words : upper));

  it('Baton runs a returned Baton Runnable with the same input, under invoke and stream', async () => {
    expect((await route.invoke('hi'))._unsafeUnwrap()).toBe('HI');
    expect((await route.invoke('say a b'))._unsafeUnwrap()).toBe('say a b ');
    expect((await lastOutput(route.stream('say a b')))._unsafeUnwrap()).toBe('say a b ');
  });

  it('through toLangChain it routes like RunnableLambda: invoke, stream, pipe', async () => {
    const lc = toLangChain(route);
    expect(await lc.invoke('hi')).toBe('HI');
    expect(await collect(await lc.stream('say a b'))).toEqual(['say ', 'a ', 'b ']);
    const piped = RunnableLambda.from((t: string) => t.trim()).pipe(lc);
    expect(await piped.invoke(' hi ')).toBe('HI');
  });

  it('a returned LangChain Runnable is invoked or streamed by toLangChain, like RunnableLambda', async () => {
    const exclaim = RunnableLambda.from((t: string) => `${t}!`);
    const lcRoute = runnable('lc-route', () => exclaim);
    const lc = toLangChain(lcRoute);
    expect(await lc.invoke('hi')).toBe('hi!');
    expect(await collect(await lc.stream('hi'))).toEqual(['hi!']);
    await expect(lc.invoke('hi', { recursionLimit: 0 })).rejects.toThrow(/recursion limit/i);
  });
});

describe('sync generators stream', () => {
  const split = runnable('split', function* (t: string) {
    for (const w of t.split(' ')) yield `${w} `;
  });

  it('their items are chunks and the output is what an async generator gives', async () => {
    expect((await split.invoke('a b'))._unsafeUnwrap()).toBe('a b ');
    const numbers = runnable('numbers', function* () {
      yield 1;
      yield 2;
    });
    expect((await numbers.invoke(undefined))._unsafeUnwrap()).toEqual([1, 2]);
    expect(await collect(await toLangChain(split).stream('a b'))).toEqual(['a ', 'b ']);
    expect(await toLangChain(split).invoke('a b')).toBe('a b ');
  });

  it('strings, arrays and Maps are values, not streams', async () => {
    const chunksOf = async (fn: () => unknown): Promise<unknown[]> =>
      collect(await toLangChain(runnable('v', fn)).stream(undefined));
    expect(await chunksOf(() => 'abc')).toEqual(['abc']);
    expect(await chunksOf(() => [1, 2])).toEqual([[1, 2]]);
    const map = new Map([['a', 1]]);
    expect(await chunksOf(() => map)).toEqual([map]);
  });
});
