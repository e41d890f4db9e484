import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MODES, runVia } from '../test/run-every-way.js';
import { createRateLimiter } from './rate-limiter.js';
import { runnable } from './runnable-fn.js';
import { withRateLimit } from './with-rate-limit.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A step recording the fake time of each call. */
function recorder() {
  const calls: { input: number; at: number }[] = [];
  const step = runnable('model', (n: number) => {
    calls.push({ input: n, at: Date.now() });
    return n * 10;
  });
  return { step, calls };
}

describe('withRateLimit', () => {
  it.each(MODES)(
    'waits in line under %s: calls beyond the budget run when the window has room',
    async (mode) => {
      const { step, calls } = recorder();
      const limited = withRateLimit(step, { requestsPerInterval: 2, intervalMs: 1_000 });
      const runs = [1, 2, 3, 4, 5].map((n) => runVia(mode, limited, n));
      await vi.advanceTimersByTimeAsync(0);
      expect(calls.map((c) => c.input)).toEqual([1, 2]);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(calls.map((c) => c.input)).toEqual([1, 2, 3, 4]);
      await vi.advanceTimersByTimeAsync(1_000);
      const results = await Promise.all(runs);
      expect(results.map((r) => r._unsafeUnwrap())).toEqual([10, 20, 30, 40, 50]);
      // First come, first served, and never more than 2 per second.
      expect(calls).toEqual([
        { input: 1, at: 0 },
        { input: 2, at: 0 },
        { input: 3, at: 1_000 },
        { input: 4, at: 1_000 },
        { input: 5, at: 2_000 },
      ]);
    },
  );

  it('limits each input of a batch', async () => {
    const { step, calls } = recorder();
    const limited = withRateLimit(step, { requestsPerInterval: 1, intervalMs: 100 });
    const batch = limited.batch([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(250);
    expect((await batch)._unsafeUnwrap()).toEqual([10, 20, 30]);
    expect(calls.map((c) => c.at)).toEqual([0, 100, 200]);
  });

  it.each(MODES)(
    "fails at once with rate_limit_exceeded under %s with onLimit: 'fail'",
    async (mode) => {
      const { step, calls } = recorder();
      const limited = withRateLimit(step, {
        requestsPerInterval: 1,
        intervalMs: 1_000,
        onLimit: 'fail',
      });
      expect((await runVia(mode, limited, 1))._unsafeUnwrap()).toBe(10);
      vi.setSystemTime(300);
      const e = (await runVia(mode, limited, 2))._unsafeUnwrapErr();
      expect(e.code).toBe('rate_limit_exceeded');
      expect(e.retryable).toBe(true);
      expect(e.details).toMatchObject({
        retryAfterMs: 700,
        requestsPerInterval: 1,
        intervalMs: 1_000,
      });
      expect(e.message).toContain('retry in about 700 ms');
      expect(calls).toHaveLength(1);
    },
  );

  it('takes an aborted caller out of the line; the callers behind it move up', async () => {
    const { step, calls } = recorder();
    const limited = withRateLimit(step, { requestsPerInterval: 1, intervalMs: 1_000 });
    const first = limited.invoke(1);
    const controller = new AbortController();
    const second = limited.invoke(2, { signal: controller.signal });
    const third = limited.invoke(3);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    const e = (await second)._unsafeUnwrapErr();
    expect(e.code).toBe('task_canceled');
    await vi.advanceTimersByTimeAsync(900);
    expect((await first)._unsafeUnwrap()).toBe(10);
    expect((await third)._unsafeUnwrap()).toBe(30);
    expect(calls).toEqual([
      { input: 1, at: 0 },
      { input: 3, at: 1_000 },
    ]);
  });

  it('unsubscribing from a stream waiting in line cancels it', async () => {
    const { step, calls } = recorder();
    const limited = withRateLimit(step, { requestsPerInterval: 1, intervalMs: 1_000 });
    await limited.invoke(1);
    const subscription = limited.stream(2).subscribe({ error: () => undefined });
    await vi.advanceTimersByTimeAsync(10);
    subscription.unsubscribe();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls.map((c) => c.input)).toEqual([1]);
  });

  it('a caller arriving while others wait does not jump the line, also when it fails fast', async () => {
    const { step } = recorder();
    const limiter = createRateLimiter({ requestsPerInterval: 1, intervalMs: 1_000 });
    const waiting = withRateLimit(step, { limiter });
    const failing = withRateLimit(step, { limiter, onLimit: 'fail' });
    await waiting.invoke(1);
    const queued = waiting.invoke(2);
    await vi.advanceTimersByTimeAsync(0);
    const e = (await failing.invoke(3))._unsafeUnwrapErr();
    expect(e.code).toBe('rate_limit_exceeded');
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await queued)._unsafeUnwrap()).toBe(20);
  });

  it('charges tokens from cost(input) and adjusts them by usage(output)', async () => {
    const calls: number[] = [];
    const model = runnable('model', (prompt: string) => {
      calls.push(Date.now());
      return { text: prompt, usage: prompt.length * 2 };
    });
    const limited = withRateLimit(model, {
      requestsPerInterval: 100,
      intervalMs: 1_000,
      tokensPerInterval: 10,
      cost: (prompt) => prompt.length,
      usage: (out) => out.usage,
    });
    // Charged 4 up front, 8 after the call reported its usage: the next 4 waits a window.
    expect((await limited.invoke('abcd'))._unsafeUnwrap().usage).toBe(8);
    const next = limited.invoke('efgh');
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await next).isOk()).toBe(true);
    expect(calls).toEqual([0, 1_000]);
  });

  it('fails a call whose cost or usage function misbehaves, naming it', async () => {
    const step = runnable('model', (s: string) => s);
    const badCost = withRateLimit(step, {
      requestsPerInterval: 1,
      intervalMs: 1_000,
      tokensPerInterval: 10,
      cost: () => Number.NaN,
    });
    const e = (await badCost.invoke('x'))._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain('cost function returned NaN');
    const tooBig = withRateLimit(step, {
      requestsPerInterval: 1,
      intervalMs: 1_000,
      tokensPerInterval: 10,
      cost: (s) => s.length,
    });
    expect((await tooBig.invoke('x'.repeat(11)))._unsafeUnwrapErr().message).toContain(
      'can never fit',
    );
    const badUsage = withRateLimit(step, {
      requestsPerInterval: 1,
      intervalMs: 1_000,
      usage: () => {
        throw new Error('no usage');
      },
    });
    const u = (await badUsage.invoke('x'))._unsafeUnwrapErr();
    expect(u.message).toContain('usage function threw (no usage)');
  });

  it('rejects invalid settings with invalid_config', () => {
    const step = runnable('s', (n: number) => n);
    expect(() => withRateLimit(step, {})).toThrow(/requestsPerInterval and intervalMs/);
    expect(() => withRateLimit(step, { requestsPerInterval: 0, intervalMs: 10 })).toThrow(
      /requestsPerInterval must be at least 1/,
    );
    expect(() =>
      withRateLimit(step, { requestsPerInterval: 1, intervalMs: 10, onLimit: 'drop' as never }),
    ).toThrow(/onLimit must be 'wait' or 'fail'/);
    expect(() =>
      withRateLimit(step, { requestsPerInterval: 1, intervalMs: 10, cost: () => 1 }),
    ).toThrow(/no token budget/);
    expect(() => withRateLimit(step, { limiter: {} as never })).toThrow(
      /limiter must be a RateLimiter/,
    );
    expect(() => withRateLimit({} as never, { requestsPerInterval: 1, intervalMs: 1 })).toThrow(
      /must be a Runnable/,
    );
  });
});
