import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { parallel } from './parallel.js';
import { runnable } from './runnable-fn.js';
import type { Runnable, StepContext } from './runnable.js';
import { sequence } from './sequence.js';
import { lastOutput } from './stream-helpers.js';

const upper = runnable('upper', (t: string) => t.toUpperCase());
const words = runnable('words', async function* (t: string) {
  for (const w of t.split(' ')) yield `${w} `;
});

describe('runnable(name, fn) returning a sync generator', () => {
  const split = runnable('split', function* (t: string) {
    for (const w of t.split(' ')) yield `${w} `;
  });

  it('streams its items as chunk events; the output is what an async generator gives', async () => {
    expect((await split.invoke('a b'))._unsafeUnwrap()).toBe('a b ');
    expect((await words.invoke('a b'))._unsafeUnwrap()).toBe('a b ');
    const events = await firstValueFrom(split.stream('a b').pipe(toArray()));
    expect(events.filter((e) => e.type === 'chunk').map((e) => e.chunk)).toEqual(['a ', 'b ']);
    const numbers = runnable('numbers', function* () {
      yield 1;
      yield 2;
    });
    expect((await numbers.invoke(undefined))._unsafeUnwrap()).toEqual([1, 2]);
  });

  it('any iterator streams (LangChain rule: next + Symbol.iterator); iterables are values', async () => {
    expect((await runnable('it', () => [1, 2].values()).invoke(undefined))._unsafeUnwrap()).toEqual(
      [1, 2],
    );
    const values: unknown[] = ['abc', [1, 2], new Map([['a', 1]]), new Set([1])];
    for (const value of values) {
      const events = await firstValueFrom(
        runnable('v', () => value)
          .stream(undefined)
          .pipe(toArray()),
      );
      expect(events.some((e) => e.type === 'chunk')).toBe(false);
      expect(events.at(-1)).toMatchObject({ type: 'run-end', output: value });
    }
  });

  it('a throw inside the generator fails the step with the cause', async () => {
    const boom = new Error('boom');
    const bad = runnable('bad', function* () {
      yield 1;
      throw boom;
    });
    expect((await bad.invoke(undefined))._unsafeUnwrapErr()).toMatchObject({
      code: 'execution_failed',
      op: 'bad',
      cause: boom,
    });
  });
});

describe('runnable(name, fn) returning a Runnable', () => {
  const route = runnable('route', (t: string) => (t.startsWith('say ') ? words : upper));

  it('runs it with the same input: invoke, stream (its chunks), a Promise of it', async () => {
    expect((await route.invoke('hi'))._unsafeUnwrap()).toBe('HI');
    expect((await route.invoke('say a'))._unsafeUnwrap()).toBe('say a ');
    const events = await firstValueFrom(route.stream('say a').pipe(toArray()));
    expect(events.filter((e) => e.type === 'chunk').map((e) => e.chunk)).toEqual(['say ', 'a ']);
    const later = runnable('later', async () => Promise.resolve(upper));
    expect((await later.invoke('x'))._unsafeUnwrap()).toBe('X');
  });

  it('runs a composite too, passing signal, metadata, configurable and tags', async () => {
    const seen: StepContext[] = [];
    const spy = runnable('spy', (t: string, ctx: StepContext) => (seen.push(ctx), t));
    const routeToChain = runnable('r', () => sequence(upper, spy));
    const out = await routeToChain.invoke('x', {
      metadata: { m: 1 },
      configurable: { c: 2 },
      tags: ['t'],
    });
    expect(out._unsafeUnwrap()).toBe('X');
    expect(seen[0]).toMatchObject({ metadata: { m: 1 }, configurable: { c: 2 }, tags: ['t'] });
  });

  it('refuses a step that returns itself (invalid_state) instead of running forever', async () => {
    const loop: Runnable<string> = runnable('loop', (): unknown => loop);
    expect((await loop.invoke('x'))._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid_state',
      op: 'loop',
    });
  });

  it("reports the routed runnable's failure", async () => {
    const failing = runnable('failing', (): string => {
      throw new Error('no');
    });
    const r = runnable('r', () => failing);
    expect((await r.invoke('x'))._unsafeUnwrapErr()).toMatchObject({ op: 'failing' });
  });
});

describe('configurable and tags in the step context', () => {
  it('reach every step of composites, and default to {} and []', async () => {
    const seen: StepContext[] = [];
    const spy = runnable('spy', (t: string, ctx: StepContext) => (seen.push(ctx), t));
    const both = parallel({ a: spy, b: sequence(upper, spy) });
    await both.invoke('x', { configurable: { user: 'ada' }, tags: ['t1'] });
    expect(seen.map((c) => [c.configurable, c.tags])).toEqual([
      [{ user: 'ada' }, ['t1']],
      [{ user: 'ada' }, ['t1']],
    ]);
    await lastOutput(spy.stream('y'));
    expect(seen[2]).toMatchObject({ configurable: {}, tags: [] });
  });
});
