import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectEvents, concurrencyProbe, deferred, MODES, runVia } from '../test/run-every-way.js';
import { createMemoryCacheStore, type CacheStore } from './cache-store.js';
import { runnable } from './runnable-fn.js';
import { stableKey, withCache } from './with-cache.js';

function counted<I, O>(fn: (input: I) => O | Promise<O>) {
  let calls = 0;
  const step = runnable('work', (input: I) => {
    calls += 1;
    return fn(input);
  });
  return { step, calls: () => calls };
}

describe('withCache', () => {
  it.each(MODES)('serves a repeated input from the cache (%s)', async (mode) => {
    const c = counted((n: number) => n * 2);
    const cached = withCache(c.step);
    expect((await runVia(mode, cached, 2))._unsafeUnwrap()).toBe(4);
    expect((await runVia(mode, cached, 2))._unsafeUnwrap()).toBe(4);
    expect((await runVia(mode, cached, 3))._unsafeUnwrap()).toBe(6);
    expect(c.calls()).toBe(2);
  });

  it('keys objects by stable JSON: key order does not matter', async () => {
    const c = counted((o: { a: number; b: number }) => o.a + o.b);
    const cached = withCache(c.step);
    await cached.invoke({ a: 1, b: 2 });
    await cached.invoke({ b: 2, a: 1 });
    expect(c.calls()).toBe(1);
    expect(stableKey({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });

  it('expires entries after ttlMs', async () => {
    let time = 0;
    const store = createMemoryCacheStore<number>({ now: () => time });
    const c = counted((n: number) => n);
    const cached = withCache(c.step, { store, ttlMs: 1_000 });
    await cached.invoke(1);
    time = 999;
    await cached.invoke(1);
    expect(c.calls()).toBe(1);
    time = 1_000;
    await cached.invoke(1);
    expect(c.calls()).toBe(2);
  });

  it.each(MODES)('does not cache errors (%s)', async (mode) => {
    let fail = true;
    const c = counted((n: number) => {
      if (fail) throw new Error('flaky');
      return n;
    });
    const cached = withCache(c.step);
    expect((await runVia(mode, cached, 1))._unsafeUnwrapErr().code).toBe('execution_failed');
    fail = false;
    expect((await runVia(mode, cached, 1))._unsafeUnwrap()).toBe(1);
    expect(c.calls()).toBe(2);
  });

  it('concurrent identical calls share one execution', async () => {
    const gate = deferred();
    const c = counted(async (n: number) => {
      await gate.promise;
      return n + 1;
    });
    const cached = withCache(c.step);
    const runs = Promise.all([cached.invoke(1), cached.invoke(1), cached.batch([1, 1, 2])]);
    await new Promise((r) => setTimeout(r, 5));
    gate.resolve();
    const [a, b, batch] = await runs;
    expect([a._unsafeUnwrap(), b._unsafeUnwrap(), batch._unsafeUnwrap()]).toEqual([
      2,
      2,
      [2, 2, 3],
    ]);
    expect(c.calls()).toBe(2);
  });

  it('a shared execution keeps running while one caller aborts, and stops when the last does', async () => {
    let aborted = false;
    const started = deferred();
    const gate = deferred();
    const step = runnable('slow', async (n: number, ctx) => {
      ctx.signal.addEventListener('abort', () => (aborted = true));
      started.resolve();
      await gate.promise;
      return n;
    });
    const cached = withCache(step);
    const first = new AbortController();
    const second = new AbortController();
    const one = cached.invoke(1, { signal: first.signal });
    const two = cached.invoke(1, { signal: second.signal });
    await started.promise;
    first.abort();
    expect((await one)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(aborted).toBe(false);
    second.abort();
    expect((await two)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(aborted).toBe(true);
    gate.resolve();
  });

  it('works with an asynchronous store and a custom key; a failing store counts as a miss', async () => {
    const data = new Map<string, number>();
    const asyncStore: CacheStore<number> = {
      get: async (k) => data.get(k),
      set: async (k, v) => void data.set(k, v),
      delete: async (k) => void data.delete(k),
    };
    const c = counted((s: { id: string; noise: number }) => s.id.length);
    const cached = withCache(c.step, { store: asyncStore, key: (s) => s.id, namespace: 'len' });
    await cached.invoke({ id: 'abc', noise: 1 });
    await cached.invoke({ id: 'abc', noise: 2 });
    expect(c.calls()).toBe(1);
    expect([...data.keys()]).toEqual(['len:abc']);

    const broken: CacheStore<number> = {
      get: () => Promise.reject(new Error('down')),
      set: () => {
        throw new Error('down');
      },
      delete: () => undefined,
    };
    const d = counted((n: number) => n);
    const viaBroken = withCache(d.step, { store: broken });
    expect((await viaBroken.invoke(5))._unsafeUnwrap()).toBe(5);
    expect((await viaBroken.invoke(5))._unsafeUnwrap()).toBe(5);
    expect(d.calls()).toBe(2);
  });

  it('an input without a JSON key fails with invalid_input suggesting the key option', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const e = (await withCache(runnable('x', (o: object) => o)).invoke(cyclic))._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain('key');
  });

  it('a cache hit emits no chunks; a miss streams the runnable chunks', async () => {
    const chars = runnable('chars', async function* (t: string) {
      yield* t;
    });
    const cached = withCache(chars);
    const miss = await collectEvents(cached.stream('ab'));
    expect(miss.events.filter((e) => e.type === 'chunk')).toHaveLength(2);
    const hit = await collectEvents(cached.stream('ab'));
    expect(hit.events.map((e) => e.type)).toEqual(['run-start', 'run-end']);
  });

  it('respects maxConcurrency in batch', async () => {
    const probe = concurrencyProbe();
    await withCache(probe.step).batch([1, 2, 3, 4, 5], { maxConcurrency: 2 });
    expect(probe.max()).toBe(2);
  });

  it.each([
    ['store.get', { store: { set: () => undefined, delete: () => undefined } }],
    ['key', { key: 'id' }],
    ['namespace', { namespace: 3 }],
    ['ttlMs', { ttlMs: 0 }],
    ['ttlMs', { ttlMs: Infinity }],
  ])('rejects a bad %s with invalid_config', (field, options) => {
    expect(() =>
      withCache(
        runnable('x', () => 1),
        options as never,
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        details: expect.objectContaining({ field }),
      }),
    );
  });

  it('runs each distinct input once however calls interleave (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 30 }),
        async (inputs) => {
          const c = counted(async (n: number) => {
            await new Promise((r) => setTimeout(r, n % 2));
            return n * 10;
          });
          const cached = withCache(c.step);
          const results = await Promise.all(inputs.map((n) => cached.invoke(n)));
          expect(results.map((r) => r._unsafeUnwrap())).toEqual(inputs.map((n) => n * 10));
          expect(c.calls()).toBe(new Set(inputs).size);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('createMemoryCacheStore', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const store = createMemoryCacheStore<number>({ maxEntries: 2 });
    store.set('a', 1);
    store.set('b', 2);
    expect(store.get('a')).toBe(1);
    store.set('c', 3);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBe(1);
    expect(store.get('c')).toBe(3);
    expect(store.size).toBe(2);
    store.delete('a');
    store.clear();
    expect(store.size).toBe(0);
  });

  it('rejects a bad maxEntries', () => {
    expect(() => createMemoryCacheStore({ maxEntries: 0 })).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        details: expect.objectContaining({ field: 'maxEntries' }),
      }),
    );
  });
});
