import { context } from '@opentelemetry/api';
import { err } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  collectEvents,
  concurrencyProbe,
  describeEvent,
  MODES,
  runVia,
} from '../test/run-every-way.js';
import { OrchestrationError } from './errors.js';
import { NEVER_SIGNAL } from './abort.js';
import { runnable } from './runnable-fn.js';
import type { ExecutionContext } from './runnable.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { backoffDelay, retryPolicy, runWithRetry, withRetry } from './with-retry.js';

const ctxOf = (signal: AbortSignal = NEVER_SIGNAL): ExecutionContext => ({
  signal,
  runId: 'r',
  metadata: {},
  sink: undefined,
  path: [],
  enclosing: undefined,
  otel: context.active(),
});
const fast: RetryPolicy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 1, maxDelayMs: 1, jitter: 0 };

/** Fails `failures` times with `error`, then returns the attempt number. */
function flaky(failures: number, error: () => unknown = () => new Error('flaky')) {
  let calls = 0;
  const step = runnable('flaky', () => {
    calls += 1;
    if (calls <= failures) throw error();
    return calls;
  });
  return { step, calls: () => calls };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('retryPolicy', () => {
  it('fills defaults and applies overrides', () => {
    expect(retryPolicy()._unsafeUnwrap()).toMatchObject({
      maxAttempts: 3,
      initialDelayMs: 100,
      maxDelayMs: 10_000,
      multiplier: 2,
      jitter: 0.2,
    });
    expect(retryPolicy({ maxAttempts: 5 })._unsafeUnwrap().maxAttempts).toBe(5);
  });

  it.each([
    ['maxAttempts', 0],
    ['maxAttempts', 1.5],
    ['initialDelayMs', -1],
    ['maxDelayMs', Number.NaN],
    ['maxDelayMs', 3e9],
    ['multiplier', 0.5],
    ['jitter', 1.5],
    ['retryOn', 'yes'],
  ])('rejects %s = %s with invalid_config naming the field', (field, value) => {
    const e = retryPolicy({ [field]: value })._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_config');
    expect(e.details).toMatchObject({ field });
    expect(e.message).toContain(field);
  });

  it('withRetry throws the invalid_config at construction', () => {
    expect(() => withRetry(flaky(0).step, { jitter: -1 })).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        details: expect.objectContaining({ field: 'jitter' }),
      }),
    );
    expect(() => withRetry({} as never)).toThrow(
      expect.objectContaining({ details: { field: 'runnable' } }),
    );
  });
});

describe('backoffDelay', () => {
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    initialDelayMs: 100,
    multiplier: 2,
    maxDelayMs: 1000,
    jitter: 0.5,
  };
  it('grows exponentially, capped at maxDelayMs', () => {
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(policy, n, () => 0))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
  it('jitter lowers the delay by up to its fraction, never above the cap', () => {
    expect(backoffDelay(policy, 1, () => 1)).toBe(50);
    expect(backoffDelay(policy, 10, () => 0.999_999)).toBeGreaterThanOrEqual(500);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(policy, 3);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });
});

describe('runWithRetry', () => {
  it('retries until success and reports each retry', async () => {
    const retries: unknown[] = [];
    let n = 0;
    const out = await runWithRetry(
      fast,
      'op',
      ctxOf(),
      async (attempt) => {
        n = attempt;
        if (attempt < 3) throw new Error(`fail ${attempt}`);
        return 'done';
      },
      (info) =>
        retries.push({ attempt: info.attempt, code: info.error.code, delayMs: info.delayMs }),
    );
    expect(out).toBe('done');
    expect(n).toBe(3);
    expect(retries).toEqual([
      { attempt: 1, code: 'execution_failed', delayMs: 1 },
      { attempt: 2, code: 'execution_failed', delayMs: 1 },
    ]);
  });

  it('fails with max_retries_exceeded, the last error as cause, after the attempts run out', async () => {
    let n = 0;
    const failure = runWithRetry(fast, 'op', ctxOf(), async () => {
      n += 1;
      throw new Error(`fail ${n}`);
    });
    const e = (await failure.catch((x: unknown) => x)) as OrchestrationError;
    expect(e.code).toBe('max_retries_exceeded');
    expect(e.details).toMatchObject({ attempts: 3 });
    expect((e.cause as OrchestrationError).message).toContain('fail 3');
    expect(n).toBe(3);
  });

  it('rethrows a non-retryable error as is, without retrying', async () => {
    const invalid = new OrchestrationError('invalid_input', 'bad input');
    let n = 0;
    await expect(
      runWithRetry(fast, 'op', ctxOf(), async () => {
        n += 1;
        throw invalid;
      }),
    ).rejects.toBe(invalid);
    expect(n).toBe(1);
  });

  it('never retries a cancellation, whatever retryOn says', async () => {
    let n = 0;
    const policy = { ...fast, retryOn: () => true };
    await expect(
      runWithRetry(policy, 'op', ctxOf(), async () => {
        n += 1;
        throw new OrchestrationError('task_canceled', 'stop');
      }),
    ).rejects.toMatchObject({ code: 'task_canceled' });
    expect(n).toBe(1);
  });

  it('throws the original error with maxAttempts 1', async () => {
    const boom = new OrchestrationError('timeout', 'slow');
    await expect(
      runWithRetry({ ...fast, maxAttempts: 1 }, 'op', ctxOf(), () => Promise.reject(boom)),
    ).rejects.toBe(boom);
  });

  it('passes the attempt number to retryOn', async () => {
    const seen: number[] = [];
    const policy = {
      ...fast,
      maxAttempts: 5,
      retryOn: (_: OrchestrationError, attempt: number) => (seen.push(attempt), attempt < 2),
    };
    await expect(
      runWithRetry(policy, 'op', ctxOf(), () => Promise.reject(new Error('x'))),
    ).rejects.toMatchObject({
      code: 'execution_failed',
    });
    expect(seen).toEqual([1, 2]);
  });

  it('an abort during the delay rejects at once and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const slow = { ...fast, initialDelayMs: 60_000, maxDelayMs: 60_000 };
    let n = 0;
    const pending = runWithRetry(slow, 'op', ctxOf(controller.signal), async () => {
      n += 1;
      throw new Error('x');
    });
    const settled = pending.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    expect(await settled).toMatchObject({ code: 'task_canceled' });
    expect(vi.getTimerCount()).toBe(0);
    expect(n).toBe(1);
  });
});

describe('withRetry', () => {
  it.each(MODES)('retries a retryable failure and succeeds (%s)', async (mode) => {
    const f = flaky(2);
    expect((await runVia(mode, withRetry(f.step, fast), null))._unsafeUnwrap()).toBe(3);
  });

  it.each(MODES)('exhausts into max_retries_exceeded with the last cause (%s)', async (mode) => {
    let n = 0;
    const always = runnable('always', () =>
      err(new OrchestrationError('rate_limit_exceeded', `429 #${++n}`)),
    );
    const e = (
      await runVia(mode, withRetry(always, { ...fast, maxAttempts: 4 }), null)
    )._unsafeUnwrapErr();
    expect(e.code).toBe('max_retries_exceeded');
    expect(e.details).toMatchObject({ attempts: 4 });
    expect((e.cause as OrchestrationError).message).toBe('429 #4');
  });

  it.each(MODES)('does not retry a non-retryable error (%s)', async (mode) => {
    const f = flaky(5, () => new OrchestrationError('invalid_input', 'bad'));
    const e = (await runVia(mode, withRetry(f.step, fast), null))._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_input');
    expect(f.calls()).toBe(1);
  });

  it('keeps the wrapped name', () => {
    expect(withRetry(flaky(0).step).name).toBe('flaky');
  });

  it('emits step-retry events under stream', async () => {
    const f = flaky(2);
    const { events } = await collectEvents(withRetry(f.step, fast).stream(null));
    expect(events.map(describeEvent)).toEqual([
      'run-start',
      'step-retry:flaky:1',
      'step-retry:flaky:2',
      'run-end',
    ]);
    const retry = events.find((e) => e.type === 'step-retry');
    expect(retry).toMatchObject({ delayMs: 1, error: { code: 'execution_failed' } });
  });

  it('under stream, retries before the first chunk but not after it', async () => {
    let n = 0;
    const early = runnable('early', async function* () {
      n += 1;
      if (n < 2) throw new Error('before any chunk');
      yield 'ok';
    });
    const first = await collectEvents(withRetry(early, fast).stream(null));
    expect(first.events.map(describeEvent)).toEqual([
      'run-start',
      'step-retry:early:1',
      'chunk:early:ok',
      'run-end',
    ]);

    let m = 0;
    const late = runnable('late', async function* () {
      m += 1;
      yield 'partial';
      throw new Error('after a chunk');
    });
    const second = await collectEvents(withRetry(late, fast).stream(null));
    expect(second.error?.code).toBe('execution_failed');
    expect(second.error?.message).toContain('after a chunk');
    expect(m).toBe(1);
    // invoke has no subscriber to confuse, so it retries
    m = 0;
    expect((await withRetry(late, fast).invoke(null))._unsafeUnwrapErr().code).toBe(
      'max_retries_exceeded',
    );
    expect(m).toBe(3);
  });

  it('a timeout of the whole run is not retried', async () => {
    let n = 0;
    const slow = runnable('slow', (_: null, ctx) => {
      n += 1;
      return new Promise((_r, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)),
      );
    });
    const e = (await withRetry(slow, fast).invoke(null, { timeoutMs: 20 }))._unsafeUnwrapErr();
    expect(e.code).toBe('timeout');
    expect(n).toBe(1);
  });

  it('respects maxConcurrency in batch', async () => {
    const probe = concurrencyProbe();
    await withRetry(probe.step, fast).batch([1, 2, 3, 4, 5], { maxConcurrency: 2 });
    expect(probe.max()).toBe(2);
  });
});

describe('programming errors', () => {
  it.each(MODES)('a TypeError thrown by the step runs once (%s)', async (mode) => {
    let calls = 0;
    const buggy = runnable('buggy', (input: { text?: string } | null) => {
      calls += 1;
      return (input as { text: string }).text.length;
    });
    const result = await runVia(mode, withRetry(buggy, { ...fast, maxAttempts: 3 }), null);
    expect(result.isErr() && result.error).toMatchObject({ code: 'execution_failed' });
    expect(result.isErr() && result.error.cause).toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
  });

  it('runs a TypeError again when retryOn says so', async () => {
    const { step, calls } = flaky(2, () => new TypeError('not yet'));
    const retryOn = (): boolean => true;
    const result = await withRetry(step, { ...fast, maxAttempts: 3, retryOn }).invoke(null);
    expect(result._unsafeUnwrap()).toBe(3);
    expect(calls()).toBe(3);
  });
});
