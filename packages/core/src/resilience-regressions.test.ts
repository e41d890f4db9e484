import { describe, expect, it } from 'vitest';
import { MODES, runVia } from '../test/run-every-way.js';
import { OrchestrationError } from './errors.js';
import { runnable } from './runnable-fn.js';
import { stableKey, withCache } from './with-cache.js';
import { withCircuitBreaker } from './with-circuit-breaker.js';

interface Gate {
  readonly resolve: (value: number) => void;
  readonly reject: (error: unknown) => void;
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const down = (): OrchestrationError => new OrchestrationError('dependency_failed', 'down');

describe('withCircuitBreaker (review)', () => {
  it('a trial that outlives its half-open period does not free a slot of the next one', async () => {
    let time = 0;
    const gates: Gate[] = [];
    const step = runnable(
      'svc',
      (_n: number) => new Promise<number>((resolve, reject) => gates.push({ resolve, reject })),
    );
    const breaker = withCircuitBreaker(step, {
      failureThreshold: 1,
      resetTimeoutMs: 100,
      halfOpenMaxCalls: 2,
      now: () => time,
    });
    const opening = breaker.invoke(0);
    await tick();
    gates[0]?.reject(down());
    await opening;
    time += 100;
    // Half-open: two trials; the first fails and opens the circuit, the second is still running.
    const failing = breaker.invoke(1);
    const slow = breaker.invoke(2);
    await tick();
    gates[1]?.reject(down());
    await failing;
    expect(breaker.state()).toBe('open');
    time += 100;
    // The next half-open period admits its own two trials...
    const trials = [breaker.invoke(3), breaker.invoke(4)];
    await tick();
    // ...and the stale trial from the previous period finishing must not make room for a third.
    gates[2]?.resolve(2);
    await slow;
    const extra = breaker.invoke(5);
    await tick();
    expect(gates).toHaveLength(5); // the inner step did not run a sixth time
    for (const gate of gates.slice(3)) gate.resolve(1);
    await Promise.all(trials);
    const rejected = await extra;
    expect(rejected.isErr() && rejected.error.code).toBe('circuit_breaker_open');
    expect(breaker.state()).toBe('closed');
  });
});

describe('withCache (review)', () => {
  it('does not give two different Maps (or Sets) the same key', async () => {
    for (const mode of MODES) {
      const sizes = withCache(runnable('size', (m: Map<string, number>) => m.size));
      expect((await runVia(mode, sizes, new Map([['a', 1]])))._unsafeUnwrap()).toBe(1);
      expect((await runVia(mode, sizes, new Map<string, number>()))._unsafeUnwrap()).toBe(0);
    }
    expect(stableKey(new Set([1]))).not.toBe(stableKey(new Set()));
    expect(stableKey(new Map([['a', 1]]))).toBe(stableKey(new Map([['a', 1]])));
  });

  it('does not confuse NaN or Infinity with null', async () => {
    const shown = withCache(runnable('show', (n: number | null) => String(n)));
    expect((await shown.invoke(NaN))._unsafeUnwrap()).toBe('NaN');
    expect((await shown.invoke(null))._unsafeUnwrap()).toBe('null');
    expect((await shown.invoke(Infinity))._unsafeUnwrap()).toBe('Infinity');
    expect(stableKey({ a: 1, b: -Infinity })).not.toBe(stableKey({ a: 1, b: Infinity }));
  });

  it('does not give a Date the key of its ISO string', async () => {
    const kind = withCache(runnable('kind', (v: Date | string) => typeof v));
    const when = new Date('2026-01-02T03:04:05.000Z');
    expect((await kind.invoke(when))._unsafeUnwrap()).toBe('object');
    expect((await kind.invoke(when.toISOString()))._unsafeUnwrap()).toBe('string');
    expect(stableKey({ at: when })).toBe(stableKey({ at: new Date(when.getTime()) }));
    expect(stableKey(new Date(NaN))).not.toBe(stableKey(null));
  });

  it('refuses inputs holding functions instead of sharing the key of undefined', async () => {
    const called = withCache(runnable('called', (v: unknown) => typeof v));
    expect((await called.invoke(undefined))._unsafeUnwrap()).toBe('undefined');
    const error = (await called.invoke(() => 1))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('key: (input) => string');
    expect((await called.invoke({ f: () => 1 }))._unsafeUnwrapErr().code).toBe('invalid_input');
    const keyed = withCache(
      runnable('keyed', (v: { id: number; f: () => number }) => v.f()),
      {
        key: (v) => String(v.id),
      },
    );
    expect((await keyed.invoke({ id: 1, f: () => 7 }))._unsafeUnwrap()).toBe(7);
  });

  it('keys Dates nested in Maps, Sets, arrays and class instances, and those toJSON returns', async () => {
    const when = new Date('2026-01-02T03:04:05.000Z');
    const iso = when.toISOString();
    class Event {
      constructor(readonly at: Date) {}
    }
    const pairs: [unknown, unknown][] = [
      [new Map([['at', when]]), new Map([['at', iso]])],
      [new Map([[when, 1]]), new Map([[iso, 1]])],
      [new Set([when]), new Set([iso])],
      [[[when]], [[iso]]],
      [new Event(when), { at: iso }],
      [{ toJSON: () => when }, {}],
    ];
    for (const [date, other] of pairs) expect(stableKey(date)).not.toBe(stableKey(other));
    expect(stableKey({ toJSON: () => when })).toBe(stableKey(when));
    expect(stableKey(new Event(when))).toBe(stableKey({ at: new Date(when.getTime()) }));

    // a wrapper whose toJSON is a Date (as some date libraries do) is not served another's output
    const year = withCache(
      runnable('year', (v: { toJSON(): Date }) => v.toJSON().getUTCFullYear()),
    );
    const at = (d: string) => ({ toJSON: () => new Date(d) });
    expect((await year.invoke(at('2020-06-01T00:00:00.000Z')))._unsafeUnwrap()).toBe(2020);
    expect((await year.invoke(at('2021-06-01T00:00:00.000Z')))._unsafeUnwrap()).toBe(2021);
  });

  it('does not give undefined in an array the key of null', async () => {
    for (const mode of MODES) {
      const nulls = withCache(
        runnable(
          'nulls',
          (xs: readonly (number | null | undefined)[]) => xs.filter((x) => x === null).length,
        ),
      );
      expect((await runVia(mode, nulls, [null, 1]))._unsafeUnwrap()).toBe(1);
      expect((await runVia(mode, nulls, [undefined, 1]))._unsafeUnwrap()).toBe(0);
    }
    // a hole reads as undefined; -0 and 0 share a key, as they do in a Map
    const holey = new Array<number>(2);
    holey[1] = 1;
    expect(stableKey(holey)).toBe(stableKey([undefined, 1]));
    expect(stableKey(new Map([['a', undefined]]))).not.toBe(stableKey(new Map([['a', null]])));
    expect(stableKey([-0])).toBe(stableKey([0]));
  });

  it('an input without a key fails with invalid_input under invoke, batch and stream', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const inputs: unknown[] = [() => 1, [Symbol('s')], new Map([['f', () => 1]]), 1n, cyclic];
    const typed = withCache(runnable('typed', (v: unknown) => typeof v));
    for (const mode of MODES) {
      for (const input of inputs) {
        const error = (await runVia(mode, typed, input))._unsafeUnwrapErr();
        expect(error.code).toBe('invalid_input');
        expect(error.message).toContain('key: (input) => string');
      }
    }
    const settled = (await typed.batchSettled([1, () => 1]))._unsafeUnwrap();
    expect(settled.map((r) => (r.isOk() ? r.value : r.error.code))).toEqual([
      'number',
      'invalid_input',
    ]);
  });
});
