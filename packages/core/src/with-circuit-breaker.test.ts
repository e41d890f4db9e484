import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  concurrencyProbe,
  deferred,
  hangingStep,
  MODES,
  runVia,
  type Mode,
} from '../test/run-every-way.js';
import { OrchestrationError } from './errors.js';
import { runnable } from './runnable-fn.js';
import { withCircuitBreaker, type CircuitBreakerOptions } from './with-circuit-breaker.js';

/** A step whose outcome the test switches, counting calls, behind a breaker on a manual clock. */
function setup(options: Partial<CircuitBreakerOptions> = {}) {
  let time = 1_000;
  let failing = true;
  let calls = 0;
  const step = runnable('svc', (n: number) => {
    calls += 1;
    if (failing) throw new OrchestrationError('dependency_failed', 'down');
    return n * 2;
  });
  const breaker = withCircuitBreaker(step, {
    failureThreshold: 3,
    resetTimeoutMs: 10_000,
    now: () => time,
    ...options,
  });
  return {
    breaker,
    calls: () => calls,
    advance: (ms: number) => (time += ms),
    heal: () => (failing = false),
    break: () => (failing = true),
  };
}

describe('withCircuitBreaker', () => {
  it.each(MODES)(
    'opens after failureThreshold consecutive failures, then rejects without calling (%s)',
    async (mode: Mode) => {
      const s = setup();
      for (let i = 0; i < 3; i++) {
        expect(s.breaker.state()).toBe('closed');
        expect((await runVia(mode, s.breaker, 1))._unsafeUnwrapErr().code).toBe(
          'dependency_failed',
        );
      }
      expect(s.breaker.state()).toBe('open');
      const e = (await runVia(mode, s.breaker, 1))._unsafeUnwrapErr();
      expect(e.code).toBe('circuit_breaker_open');
      expect(e.details).toMatchObject({ state: 'open', retryAfterMs: 10_000 });
      expect(s.calls()).toBe(3);
    },
  );

  it('closed -> open -> half-open -> closed', async () => {
    const s = setup();
    for (let i = 0; i < 3; i++) await s.breaker.invoke(1);
    expect(s.breaker.state()).toBe('open');
    s.advance(9_999);
    expect(s.breaker.state()).toBe('open');
    s.advance(1);
    expect(s.breaker.state()).toBe('half-open');
    s.heal();
    expect((await s.breaker.invoke(2))._unsafeUnwrap()).toBe(4);
    expect(s.breaker.state()).toBe('closed');
    expect(s.calls()).toBe(4);
  });

  it('half-open -> open on a failed trial, for another resetTimeoutMs', async () => {
    const s = setup();
    for (let i = 0; i < 3; i++) await s.breaker.invoke(1);
    s.advance(10_000);
    expect((await s.breaker.invoke(1))._unsafeUnwrapErr().code).toBe('dependency_failed');
    expect(s.breaker.state()).toBe('open');
    expect((await s.breaker.invoke(1))._unsafeUnwrapErr().code).toBe('circuit_breaker_open');
    s.advance(10_000);
    expect(s.breaker.state()).toBe('half-open');
  });

  it('a success resets the count of consecutive failures', async () => {
    const s = setup();
    await s.breaker.invoke(1);
    await s.breaker.invoke(1);
    s.heal();
    await s.breaker.invoke(1);
    s.break();
    await s.breaker.invoke(1);
    await s.breaker.invoke(1);
    expect(s.breaker.state()).toBe('closed');
    await s.breaker.invoke(1);
    expect(s.breaker.state()).toBe('open');
  });

  it('lets at most halfOpenMaxCalls trials through at once and needs that many successes to close', async () => {
    let time = 0;
    let failing = true;
    const gate = deferred();
    let calls = 0;
    const step = runnable('svc', async () => {
      calls += 1;
      if (failing) throw new Error('down');
      await gate.promise;
      return 'ok';
    });
    const breaker = withCircuitBreaker(step, {
      failureThreshold: 1,
      resetTimeoutMs: 100,
      halfOpenMaxCalls: 2,
      now: () => time,
    });
    await breaker.invoke(null);
    expect(breaker.state()).toBe('open');
    time = 100;
    failing = false;
    const trials = [breaker.invoke(null), breaker.invoke(null)];
    const third = await breaker.invoke(null);
    expect(third._unsafeUnwrapErr()).toMatchObject({
      code: 'circuit_breaker_open',
      details: { state: 'half-open' },
    });
    gate.resolve();
    expect((await Promise.all(trials)).map((r) => r._unsafeUnwrap())).toEqual(['ok', 'ok']);
    expect(breaker.state()).toBe('closed');
    expect(calls).toBe(3);
  });

  it('does not count cancellations, nor errors isFailure rejects', async () => {
    const s = setup({ isFailure: (e) => e.code !== 'dependency_failed' });
    for (let i = 0; i < 5; i++) await s.breaker.invoke(1);
    expect(s.breaker.state()).toBe('closed');

    const hang = hangingStep();
    const breaker = withCircuitBreaker(hang.step, { failureThreshold: 1 });
    const controller = new AbortController();
    const pending = breaker.invoke(null, { signal: controller.signal });
    await hang.started;
    controller.abort();
    expect((await pending)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(breaker.state()).toBe('closed');
  });

  it('check() reports closed healthy, half-open degraded, open unhealthy', async () => {
    const s = setup();
    expect((await s.breaker.check()).status).toBe('healthy');
    for (let i = 0; i < 3; i++) await s.breaker.invoke(1);
    const open = await s.breaker.check();
    expect(open).toMatchObject({
      status: 'unhealthy',
      component: 'circuit-breaker:svc',
      details: { state: 'open' },
    });
    s.advance(10_000);
    expect((await s.breaker.check()).status).toBe('degraded');
    expect(s.calls()).toBe(3);
  });

  it('shares its state between invoke, batch and stream', async () => {
    const s = setup();
    await s.breaker.invoke(1);
    await s.breaker.batch([1]);
    await runVia('stream', s.breaker, 1);
    expect(s.breaker.state()).toBe('open');
    expect(
      (await s.breaker.batchSettled([1, 2]))._unsafeUnwrap().map((r) => r._unsafeUnwrapErr().code),
    ).toEqual(['circuit_breaker_open', 'circuit_breaker_open']);
  });

  it('respects maxConcurrency in batch', async () => {
    const probe = concurrencyProbe();
    await withCircuitBreaker(probe.step).batch([1, 2, 3, 4, 5], { maxConcurrency: 2 });
    expect(probe.max()).toBe(2);
  });

  it.each([
    ['failureThreshold', 0],
    ['failureThreshold', 2.5],
    ['resetTimeoutMs', -1],
    ['halfOpenMaxCalls', 0],
    ['now', 5],
    ['isFailure', 'x'],
  ])('rejects %s = %s with invalid_config naming the field', (field, value) => {
    expect(() =>
      withCircuitBreaker(
        runnable('x', () => 1),
        { [field]: value },
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        details: expect.objectContaining({ field }),
      }),
    );
  });
});

describe('withCircuitBreaker against a reference model (property)', () => {
  type Step = { kind: 'ok' } | { kind: 'fail' } | { kind: 'wait'; ms: number };
  const step = fc.oneof(
    fc.constant<Step>({ kind: 'ok' }),
    fc.constant<Step>({ kind: 'fail' }),
    fc.integer({ min: 1, max: 150 }).map<Step>((ms) => ({ kind: 'wait', ms })),
  );

  it('agrees on every outcome and state for sequential calls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        async (steps, threshold) => {
          let time = 0;
          let next: 'ok' | 'fail' = 'ok';
          const svc = runnable('svc', () => {
            if (next === 'fail') throw new Error('down');
            return 'ok';
          });
          const breaker = withCircuitBreaker(svc, {
            failureThreshold: threshold,
            resetTimeoutMs: 100,
            now: () => time,
          });
          // reference: consecutive failures open it; after 100 ms one trial decides
          let state: 'closed' | 'open' = 'closed';
          let failures = 0;
          let openedAt = 0;
          for (const s of steps) {
            if (s.kind === 'wait') {
              time += s.ms;
              continue;
            }
            next = s.kind;
            const result = await breaker.invoke(null);
            if (state === 'open' && time - openedAt < 100) {
              expect(result._unsafeUnwrapErr().code).toBe('circuit_breaker_open');
              continue;
            }
            const trial = state === 'open';
            if (s.kind === 'ok') {
              expect(result.isOk()).toBe(true);
              state = 'closed';
              failures = 0;
            } else {
              expect(result._unsafeUnwrapErr().code).toBe('execution_failed');
              failures = trial ? threshold : failures + 1;
              if (failures >= threshold) {
                state = 'open';
                openedAt = time;
              }
            }
            const expected = state === 'open' && time - openedAt >= 100 ? 'half-open' : state;
            expect(breaker.state()).toBe(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
