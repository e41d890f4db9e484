import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collectEvents,
  concurrencyProbe,
  deferred,
  describeEvent,
  hangingStep,
  MODES,
  runVia,
} from '../test/run-every-way.js';
import { OrchestrationError } from './errors.js';
import { parallel } from './parallel.js';
import { passthrough } from './passthrough.js';
import { runnable } from './runnable-fn.js';
import type { Runnable } from './runnable.js';
import { sequence } from './sequence.js';

describe('parallel', () => {
  it.each(MODES)('returns each branch output by key (%s)', async (mode) => {
    const p = parallel({
      length: runnable('length', (t: string) => t.length),
      upper: runnable('upper', async (t: string) => t.toUpperCase()),
      same: passthrough<string>(),
    });
    expect((await runVia(mode, p, 'abc'))._unsafeUnwrap()).toEqual({
      length: 3,
      upper: 'ABC',
      same: 'abc',
    });
  });

  it('runs the branches concurrently on the same input', async () => {
    const gate = deferred();
    const started: string[] = [];
    const branch = (name: string) =>
      runnable(name, async (x: number) => {
        started.push(name);
        await gate.promise;
        return x;
      });
    const pending = parallel({ a: branch('a'), b: branch('b') }).invoke(7);
    await new Promise((r) => setTimeout(r, 0));
    expect(started.sort()).toEqual(['a', 'b']);
    gate.resolve();
    expect((await pending)._unsafeUnwrap()).toEqual({ a: 7, b: 7 });
  });

  it.each(MODES)('fails with the first failure and aborts the siblings (%s)', async (mode) => {
    const hang = hangingStep('slow');
    const bad = runnable('bad', async () => {
      await hang.started;
      throw new OrchestrationError('dependency_failed', 'down');
    });
    const e = (await runVia(mode, parallel({ slow: hang.step, bad }), 1))._unsafeUnwrapErr();
    expect(e.code).toBe('dependency_failed');
    expect(hang.aborted()).toBe(true);
  });

  it('an outer abort reaches every branch', async () => {
    const one = hangingStep('one');
    const two = hangingStep('two');
    const controller = new AbortController();
    const pending = parallel({ one: one.step, two: two.step }).invoke(0, {
      signal: controller.signal,
    });
    await Promise.all([one.started, two.started]);
    controller.abort();
    expect((await pending)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(one.aborted() && two.aborted()).toBe(true);
  });

  it('unsubscribing mid-stream aborts the running branches', async () => {
    const hang = hangingStep();
    const sub = parallel({ h: hang.step }).stream(0).subscribe();
    await hang.started;
    sub.unsubscribe();
    expect(hang.aborted()).toBe(true);
  });

  it('times out with code timeout', async () => {
    const hang = hangingStep();
    const e = (await parallel({ h: hang.step }).invoke(0, { timeoutMs: 20 }))._unsafeUnwrapErr();
    expect(e.code).toBe('timeout');
    expect(hang.aborted()).toBe(true);
  });

  it('streams step events named by key, chunks included', async () => {
    const chars = runnable('chars', async function* (t: string) {
      yield* t;
    });
    const { events } = await collectEvents(parallel({ c: chars }).stream('xy'));
    expect(events.map(describeEvent)).toEqual([
      'run-start',
      'step-start:c',
      'chunk:chars:x',
      'chunk:chars:y',
      'step-end:c',
      'run-end',
    ]);
  });

  it('reports only the failing branch in step-error', async () => {
    const hang = hangingStep('slow');
    const bad = runnable('bad', async () => {
      await hang.started;
      throw new Error('x');
    });
    const { events, error } = await collectEvents(parallel({ slow: hang.step, bad }).stream(0));
    expect(error?.op).toBe('bad');
    expect(events.filter((e) => e.type === 'step-error').map(describeEvent)).toEqual([
      'step-error:bad',
    ]);
  });

  it('respects maxConcurrency in batch', async () => {
    const probe = concurrencyProbe();
    const out = await parallel({ p: probe.step }).batch([1, 2, 3, 4, 5], { maxConcurrency: 2 });
    expect(out._unsafeUnwrap().map((o) => o.p)).toEqual([1, 2, 3, 4, 5]);
    expect(probe.max()).toBe(2);
  });

  it('rejects an empty map and non-Runnable branches with invalid_config', () => {
    expect(() => parallel({})).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    const bad = { a: 42 } as unknown as Record<string, Runnable<number, number>>;
    expect(() => parallel(bad)).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'branches.a' } }),
    );
  });

  it('matches mapping every function over the input (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: -9, max: 9 }), {
          minKeys: 1,
          maxKeys: 6,
        }),
        fc.integer(),
        fc.option(fc.nat(5)),
        async (ks, x, failIndex) => {
          const keys = Object.keys(ks);
          const failing = failIndex === null ? undefined : keys[failIndex % keys.length];
          const branches: Record<string, Runnable<number, number>> = {};
          for (const key of keys) {
            branches[key] = sequence(
              runnable(`delay-${key}`, async (v: number) => {
                await new Promise((r) => setTimeout(r, (ks[key] ?? 0) & 3));
                return v;
              }),
              runnable(`step:${key}`, (v: number) => {
                if (key === failing) throw new Error(key);
                return v + (ks[key] ?? 0);
              }),
            );
          }
          const result = await parallel(branches).invoke(x);
          if (failing === undefined) {
            expect(result._unsafeUnwrap()).toEqual(
              Object.fromEntries(keys.map((k) => [k, x + (ks[k] ?? 0)])),
            );
          } else {
            expect(result._unsafeUnwrapErr().op).toBe(`step:${failing}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
