import { lastOutput, OrchestrationError, runnable, type StepContext } from '@baton/core';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnableLambda } from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { err } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { ChainStartRecorder } from '../test/support/chain-start-recorder.js';
import { fromLangChain } from './from-lang-chain.js';
import { toLangChain } from './to-lang-chain.js';
import { batonErrorOf } from './baton-error-of.js';
import { collect } from '../test/support/collect.js';

const upper = runnable('upper', (text: string) => text.toUpperCase());

/** Streams its input back one word at a time. */
const words = runnable('words', async function* (text: string) {
  for (const word of text.split(' ')) yield `${word} `;
});

describe('toLangChain', () => {
  it('invokes a Baton Runnable', async () => {
    const lc = toLangChain(upper);
    expect(await lc.invoke('hi')).toBe('HI');
    expect(lc.getName()).toBe('upper');
  });

  it('works inside LCEL: prompt -> fake model -> parser -> Baton step', async () => {
    const prompt = ChatPromptTemplate.fromTemplate('about {topic}');
    const model = new FakeListChatModel({ responses: ['bees buzz'] });
    const seq = prompt.pipe(model).pipe(new StringOutputParser()).pipe(toLangChain(upper));
    expect(await seq.invoke({ topic: 'bees' })).toBe('BEES BUZZ');
  });

  it("throws the error the step threw, with the run's OrchestrationError on it", async () => {
    const failure = new OrchestrationError('invalid_input', 'no empty strings');
    const picky = runnable('picky', (text: string) => (text === '' ? err(failure) : text));
    await expect(toLangChain(picky).invoke('')).rejects.toBe(failure);
    const kaput = new Error('kaput');
    const thrower = runnable('thrower', (): string => {
      throw kaput;
    });
    const error: unknown = await toLangChain(thrower)
      .invoke(undefined)
      .catch((e: unknown) => e);
    expect(error).toBe(kaput);
    expect(batonErrorOf(error)).toMatchObject({
      name: 'OrchestrationError',
      code: 'execution_failed',
      op: 'thrower',
    });
  });

  it('batches, keeping input order, and reports failures like LangChain', async () => {
    const lc = toLangChain(upper);
    expect(await lc.batch(['a', 'b', 'c'])).toEqual(['A', 'B', 'C']);
    const half = runnable('half', (n: number) => {
      if (n % 2 === 1) throw new Error(`odd ${n}`);
      return n / 2;
    });
    const results = await toLangChain(half).batch([2, 3, 4], {}, { returnExceptions: true });
    expect(results[0]).toBe(1);
    expect(results[1]).toMatchObject({ message: 'odd 3' });
    expect(batonErrorOf(results[1])).toMatchObject({ code: 'execution_failed' });
    expect(results[2]).toBe(2);
    await expect(toLangChain(half).batch([2, 3])).rejects.toMatchObject({ message: 'odd 3' });
  });

  it("streams the run's chunk payloads", async () => {
    expect(await collect(await toLangChain(words).stream('one two three'))).toEqual([
      'one ',
      'two ',
      'three ',
    ]);
  });

  it('streams the output once when no step emits chunks', async () => {
    expect(await collect(await toLangChain(upper).stream('quiet'))).toEqual(['QUIET']);
  });

  it('streams through an LCEL sequence', async () => {
    const seq = toLangChain(words).pipe(new StringOutputParser());
    expect(await collect(await seq.stream('a b'))).toEqual(['a ', 'b ']);
    expect(await seq.invoke('a b')).toBe('a b ');
  });

  it("passes LangChain's signal, metadata and run id to the Baton run", async () => {
    let seen: StepContext | undefined;
    let abortedDuringRun: boolean | undefined;
    const controller = new AbortController();
    const spy = runnable('spy', (text: string, ctx: StepContext) => {
      seen = ctx;
      const before = ctx.signal.aborted;
      controller.abort();
      abortedDuringRun = !before && ctx.signal.aborted;
      return text;
    });
    const recorder = new ChainStartRecorder();
    await toLangChain(spy)
      .invoke('x', { signal: controller.signal, metadata: { user: 'u1' }, callbacks: [recorder] })
      .catch(() => undefined);
    expect(seen?.metadata).toMatchObject({ user: 'u1' });
    expect(recorder.starts.map((s) => s.runId)).toContain(seen?.runId);
    expect(abortedDuringRun).toBe(true);
  });

  it("aborting LangChain's signal cancels the Baton run", async () => {
    let stepSignal: AbortSignal | undefined;
    const waits = runnable('waits', (_: string, ctx: StepContext) => {
      stepSignal = ctx.signal;
      return new Promise<string>(() => undefined);
    });
    const controller = new AbortController();
    const pending = toLangChain(waits).invoke('x', { signal: controller.signal });
    while (stepSignal === undefined) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(pending).rejects.toBeDefined();
    expect(stepSignal.aborted).toBe(true);
  });

  it('stopping a LangChain stream early aborts the Baton run', async () => {
    let stepSignal: AbortSignal | undefined;
    const endless = runnable('endless', async function* (_: string, ctx: StepContext) {
      stepSignal = ctx.signal;
      for (let i = 0; !ctx.signal.aborted; i++) {
        yield i;
        await new Promise((r) => setTimeout(r, 1));
      }
    });
    const stream = await toLangChain(endless).stream('go');
    const seen: unknown[] = [];
    for await (const chunk of stream) {
      seen.push(chunk);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(stepSignal?.aborted).toBe(true);
  });

  it('round-trips: fromLangChain(toLangChain(r)) behaves like r', async () => {
    const back = fromLangChain(toLangChain(words));
    expect((await back.invoke('x y'))._unsafeUnwrap()).toBe('x y ');
    expect((await lastOutput(back.stream('x y')))._unsafeUnwrap()).toBe('x y ');
  });

  it.each([[{}], [null], ['upper'], [RunnableLambda.from((x: string) => x)]])(
    'refuses a non-Baton Runnable (%#) with invalid_config',
    (value) => {
      expect(() => toLangChain(value as never)).toThrow(
        expect.objectContaining({ name: 'OrchestrationError', code: 'invalid_config' }),
      );
    },
  );
});
