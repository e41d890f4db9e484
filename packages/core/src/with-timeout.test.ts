import { describe, expect, it } from 'vitest';
import {
  collectEvents,
  concurrencyProbe,
  hangingStep,
  MODES,
  runVia,
} from '../test/run-every-way.js';
import { runnable } from './runnable-fn.js';
import { withRetry } from './with-retry.js';
import { withTimeout } from './with-timeout.js';

describe('withTimeout', () => {
  it.each(MODES)('fails a slow run with timeout and fires the step signal (%s)', async (mode) => {
    const hang = hangingStep();
    const e = (await runVia(mode, withTimeout(hang.step, 20), null))._unsafeUnwrapErr();
    expect(e.code).toBe('timeout');
    expect(e.message).toContain('timed out after 20 ms');
    expect(e.retryable).toBe(true);
    expect(hang.aborted()).toBe(true);
  });

  it.each(MODES)('passes a fast run through (%s)', async (mode) => {
    const r = withTimeout(
      runnable('fast', async (n: number) => n + 1),
      5_000,
    );
    expect((await runVia(mode, r, 1))._unsafeUnwrap()).toBe(2);
  });

  it('an outer abort still cancels (not a timeout)', async () => {
    const hang = hangingStep();
    const controller = new AbortController();
    const pending = withTimeout(hang.step, 60_000).invoke(null, { signal: controller.signal });
    await hang.started;
    controller.abort();
    expect((await pending)._unsafeUnwrapErr().code).toBe('task_canceled');
  });

  it('inside withRetry, each slow attempt times out and is retried', async () => {
    let n = 0;
    const sometimesSlow = runnable('s', (_: null, ctx) => {
      n += 1;
      if (n < 3)
        return new Promise<number>((_r, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)),
        );
      return n;
    });
    const r = withRetry(withTimeout(sometimesSlow, 10), { initialDelayMs: 1, jitter: 0 });
    expect((await r.invoke(null))._unsafeUnwrap()).toBe(3);
  });

  it('keeps the chunks of the wrapped runnable under stream', async () => {
    const chars = runnable('chars', async function* (t: string) {
      yield* t;
    });
    const { events } = await collectEvents(withTimeout(chars, 5_000).stream('ab'));
    expect(events.filter((e) => e.type === 'chunk')).toHaveLength(2);
  });

  it('respects maxConcurrency in batch', async () => {
    const probe = concurrencyProbe();
    await withTimeout(probe.step, 5_000).batch([1, 2, 3, 4], { maxConcurrency: 3 });
    expect(probe.max()).toBe(3);
  });

  it.each([-1, Number.NaN, Infinity, 3e9, '10'])(
    'rejects timeoutMs = %s with invalid_config',
    (bad) => {
      expect(() =>
        withTimeout(
          runnable('x', () => 1),
          bad as number,
        ),
      ).toThrow(
        expect.objectContaining({
          code: 'invalid_config',
          details: expect.objectContaining({ field: 'timeoutMs' }),
        }),
      );
    },
  );
});

describe('0 means no timeout', () => {
  const slow = runnable('slow', async (n: number, ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 15));
    return ctx.signal.aborted ? -1 : n + 1;
  });

  it('withTimeout(r, 0) puts no deadline on r', async () => {
    expect(withTimeout(slow, 0)).toBe(slow);
    expect((await withTimeout(slow, 0).invoke(1))._unsafeUnwrap()).toBe(2);
  });

  it.each(MODES)('RunOptions.timeoutMs 0 puts no deadline on the run (%s)', async (mode) => {
    expect((await runVia(mode, slow, 1, { timeoutMs: 0 }))._unsafeUnwrap()).toBe(2);
  });

  it.each([-1, Number.NaN])('a negative or NaN timeoutMs is invalid_config (%s)', async (ms) => {
    expect(() => withTimeout(slow, ms)).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    const e = (await slow.invoke(1, { timeoutMs: ms }))._unsafeUnwrapErr();
    expect(e).toMatchObject({ code: 'invalid_config', details: { field: 'timeoutMs' } });
    expect(e.message).toContain('0: no timeout');
  });
});
