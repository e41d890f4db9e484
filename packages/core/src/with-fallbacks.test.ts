import { describe, expect, it } from 'vitest';
import {
  collectEvents,
  concurrencyProbe,
  describeEvent,
  hangingStep,
  MODES,
  runVia,
} from '../test/run-every-way.js';
import { OrchestrationError } from './errors.js';
import { runnable } from './runnable-fn.js';
import type { Runnable } from './runnable.js';
import { withFallbacks } from './with-fallbacks.js';

function recorder() {
  const calls: string[] = [];
  const ok = (name: string): Runnable<number, string> =>
    runnable(name, (n: number) => (calls.push(name), `${name}:${n}`));
  const fail = (
    name: string,
    code: OrchestrationError['code'] = 'execution_failed',
  ): Runnable<number, string> =>
    runnable(name, (): string => {
      calls.push(name);
      throw new OrchestrationError(code, `${name} failed`);
    });
  return { calls, ok, fail };
}

describe('withFallbacks', () => {
  it.each(MODES)('returns the primary output when it succeeds (%s)', async (mode) => {
    const { calls, ok } = recorder();
    expect((await runVia(mode, withFallbacks(ok('a'), [ok('b')]), 1))._unsafeUnwrap()).toBe('a:1');
    expect(calls).toEqual(['a']);
  });

  it.each(MODES)(
    'tries the fallbacks in order and returns the first success (%s)',
    async (mode) => {
      const { calls, ok, fail } = recorder();
      const r = withFallbacks(fail('a'), [fail('b'), ok('c'), ok('d')]);
      expect((await runVia(mode, r, 2))._unsafeUnwrap()).toBe('c:2');
      expect(calls).toEqual(['a', 'b', 'c']);
    },
  );

  it.each(MODES)('fails with the last error, listing every error (%s)', async (mode) => {
    const { fail } = recorder();
    const r = withFallbacks(fail('a'), [fail('b', 'timeout'), fail('c', 'rate_limit_exceeded')]);
    const e = (await runVia(mode, r, 1))._unsafeUnwrapErr();
    expect(e.code).toBe('rate_limit_exceeded');
    expect((e.cause as OrchestrationError).message).toBe('c failed');
    expect(e.details['errors']).toEqual([
      { step: 'a', code: 'execution_failed', message: 'a failed' },
      { step: 'b', code: 'timeout', message: 'b failed' },
      { step: 'c', code: 'rate_limit_exceeded', message: 'c failed' },
    ]);
  });

  it('stops when retryOn says no, with that error as is', async () => {
    const { calls, ok, fail } = recorder();
    const r = withFallbacks(fail('a', 'invalid_input'), [ok('b')], {
      retryOn: (e) => e.code !== 'invalid_input',
    });
    expect((await r.invoke(1))._unsafeUnwrapErr().message).toBe('a failed');
    expect(calls).toEqual(['a']);
  });

  it('an abort does not fall back', async () => {
    const { calls, ok } = recorder();
    const hang = hangingStep();
    const controller = new AbortController();
    const pending = withFallbacks(hang.step as Runnable<number, string>, [ok('b')]).invoke(1, {
      signal: controller.signal,
    });
    await hang.started;
    controller.abort();
    expect((await pending)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(hang.aborted()).toBe(true);
    expect(calls).toEqual([]);
  });

  it('reports fallbacks as steps under stream', async () => {
    const { ok, fail } = recorder();
    const { events } = await collectEvents(
      withFallbacks(fail('a'), [fail('b'), ok('c')]).stream(1),
    );
    expect(events.map(describeEvent)).toEqual([
      'run-start',
      'step-start:b',
      'step-start:c',
      'step-end:c',
      'run-end',
    ]);
    expect(
      events
        .filter((e) => e.type === 'step-start')
        .map((e) => e.type === 'step-start' && e.attempt),
    ).toEqual([2, 3]);
  });

  it('under stream, does not fall back once the failing alternative emitted a chunk', async () => {
    const { calls, ok } = recorder();
    const partial = runnable('partial', async function* () {
      yield 'x';
      throw new Error('broke mid-stream');
    }) as unknown as Runnable<number, string>;
    const { error } = await collectEvents(withFallbacks(partial, [ok('b')]).stream(1));
    expect(error?.message).toContain('broke mid-stream');
    expect(calls).toEqual([]);
    expect((await withFallbacks(partial, [ok('b')]).invoke(1))._unsafeUnwrap()).toBe('b:1');
  });

  it('respects maxConcurrency in batch', async () => {
    const probe = concurrencyProbe();
    await withFallbacks(probe.step, []).batch([1, 2, 3, 4], { maxConcurrency: 2 });
    expect(probe.max()).toBe(2);
  });

  it('rejects bad arguments with invalid_config naming them', () => {
    const { ok } = recorder();
    expect(() => withFallbacks(ok('a'), [ok('b'), {} as Runnable<number, string>])).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'fallbacks.1' } }),
    );
    expect(() => withFallbacks(ok('a'), 'b' as never)).toThrow(
      expect.objectContaining({ details: { field: 'fallbacks' } }),
    );
    expect(() => withFallbacks(ok('a'), [], { retryOn: 1 as never })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ field: 'retryOn' }) }),
    );
  });
});
