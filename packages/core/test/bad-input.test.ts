/**
 * Bad input to the public API of @baton/core gets a typed OrchestrationError that says what to
 * fix: an `Err` from anything that returns a Result, an `invalid_config` throw from the
 * definition-time factories the README documents as throwing, and never a raw TypeError, an
 * unhandled rejection or a hang.
 */
import fc from 'fast-check';
import { ok } from 'neverthrow';
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  branch,
  createMemoryCacheStore,
  createRegistry,
  isCancellation,
  isOrchestrationError,
  isRetryable,
  lastOutput,
  parallel,
  passthrough,
  retryPolicy,
  runnable,
  sequence,
  toAsyncIterable,
  toOrchestrationError,
  withCache,
  withCircuitBreaker,
  withFallbacks,
  withRetry,
  withTimeout,
  type Option,
  type Runnable,
} from '../src/index.js';
import { resolveOptions } from '../src/authoring.js';
import {
  anyValue,
  expectConfigThrow,
  expectErr,
  expectOk,
  expectSettled,
  expectTypedError,
  callMethod,
  FAILURE_KINDS,
  FAILURES,
  failOnProcessErrors,
  isNonEmptyString,
  isObject,
  isRunnableLike,
  mostly,
  NASTIES,
  runOptionsArb,
  runOptionsProblem,
  RUNS,
  METHODS,
  safely,
  settle,
  throwingGetters,
  throwingProxy,
  type Outcome,
} from './bad-input-contract.js';

failOnProcessErrors();

const MAX_TIMER_MS = 2_147_483_647;
const id = runnable('id', (x: unknown) => x);
const any = (r: unknown): Runnable => r as Runnable;

/** Every composite and wrapper of core around an identity step. */
const SUBJECTS: readonly (readonly [string, () => Runnable])[] = [
  ['runnable', () => id],
  ['sequence', () => any(sequence(id, id))],
  ['parallel', () => any(parallel({ a: id }))],
  ['branch', () => branch([[() => false, id]], id)],
  ['passthrough', () => passthrough<unknown>()],
  ['withRetry', () => withRetry(id, { initialDelayMs: 0 })],
  ['withTimeout', () => withTimeout(id, 60_000)],
  ['withFallbacks', () => withFallbacks(id, [id])],
  ['withCircuitBreaker', () => withCircuitBreaker(id)],
  ['withCache', () => withCache(id, { key: () => 'k' })],
];

describe('runnable(name, fn)', () => {
  it('throws invalid_config naming `name` for anything but a non-empty string', () => {
    fc.assert(
      fc.property(anyValue, (name) => {
        const outcome = outcomeOf(() => runnable(name as string, (x: unknown) => x));
        if (isNonEmptyString(name)) expect(outcome.kind).toBe('value');
        else expectConfigThrow(outcome, { mentions: ['name'], input: name });
      }),
      RUNS,
    );
  });

  it('throws invalid_config naming `fn` for anything but a function', () => {
    fc.assert(
      fc.property(anyValue, (fn) => {
        const outcome = outcomeOf(() => runnable('step', fn as () => unknown));
        if (typeof fn === 'function') expect(outcome.kind).toBe('value');
        else expectConfigThrow(outcome, { mentions: ['fn'], input: fn });
      }),
      RUNS,
    );
  });
});

/** `settle` for synchronous calls. */
function outcomeOf(call: () => unknown): Outcome {
  try {
    return { kind: 'value', value: call() };
  } catch (error) {
    return { kind: 'threw', error };
  }
}

const PER_INPUT: readonly string[] = ['timeoutMs', 'metadata', 'configurable', 'tags'];

describe('run options', () => {
  it.each(SUBJECTS)(
    '%s: invoke, batch, batchSettled and stream answer bad options with invalid_config naming the field',
    async (_name, make) => {
      const subject = make();
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...METHODS), runOptionsArb(true), async (m, options) => {
          const problem = runOptionsProblem(options, m === 'batch' || m === 'batchSettled');
          const outcome = await settle(() => callMethod(subject, m, 1, options));
          if (problem === undefined) expectOk(outcome, options);
          else if (m === 'batchSettled' && problem.every((p) => PER_INPUT.includes(p))) {
            // timeoutMs and metadata apply to each input's run: each input reports them.
            const results = expectOk(outcome, options) as { error?: unknown }[];
            const expected = { codes: ['invalid_config'] as const, mentions: problem };
            expectTypedError(results[0]?.error, { ...expected, input: options });
          } else {
            expectErr(outcome, { codes: ['invalid_config'], mentions: problem, input: options });
          }
        }),
        RUNS,
      );
    },
  );

  it('batch and batchSettled answer inputs that are not an array with invalid_input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('batch', 'batchSettled'), anyValue, async (m, inputs) => {
        const loose = id as unknown as Record<string, (inputs: unknown) => unknown>;
        const outcome = await settle(() => loose[m]?.call(id, inputs));
        if (!Array.isArray(inputs)) {
          expectErr(outcome, { codes: ['invalid_input'], mentions: ['inputs'], input: inputs });
        } else expectSettled(outcome, inputs);
      }),
      RUNS,
    );
  });
});

/** A Runnable or anything else, for the factories' arguments. */
const runnableOrAny = fc.oneof(fc.constant(id), anyValue);

describe('composition factories', () => {
  it('sequence(...steps) throws invalid_config naming the bad step', () => {
    fc.assert(
      fc.property(fc.array(runnableOrAny, { maxLength: 4 }), (steps) => {
        const outcome = outcomeOf(() => sequence(...(steps as [])));
        if (steps.length > 0 && steps.every(isRunnableLike)) expect(outcome.kind).toBe('value');
        else expectConfigThrow(outcome, { mentions: ['step'], input: steps });
      }),
      RUNS,
    );
  });

  it('parallel(branches) throws invalid_config naming the branches', () => {
    const branches = fc.oneof(
      anyValue,
      fc.dictionary(fc.string({ maxLength: 3 }), runnableOrAny, { maxKeys: 3 }),
    );
    fc.assert(
      fc.property(branches, (value) => {
        const outcome = outcomeOf(() => parallel(value as Record<string, Runnable>));
        const fine = safely(
          () =>
            isObject(value) &&
            !Array.isArray(value) &&
            Object.keys(value).length > 0 &&
            Object.values(value).every(isRunnableLike),
          false,
        );
        if (fine) expect(outcome.kind).toBe('value');
        else expectConfigThrow(outcome, { mentions: ['branch'], input: value });
      }),
      RUNS,
    );
  });

  it('branch(cases, otherwise) throws invalid_config naming cases or otherwise', () => {
    const cases = fc.oneof(
      anyValue,
      fc.array(fc.oneof(fc.tuple(mostly(fc.constant(() => true)), runnableOrAny), anyValue), {
        maxLength: 3,
      }),
    );
    fc.assert(
      fc.property(cases, runnableOrAny, (list, otherwise) => {
        const outcome = outcomeOf(() => branch(list as [], otherwise as Runnable));
        const casesFine = safely(
          () =>
            Array.isArray(list) &&
            Array.from(list).every(
              (c) =>
                Array.isArray(c) &&
                c.length === 2 &&
                typeof c[0] === 'function' &&
                isRunnableLike(c[1]),
            ),
          false,
        );
        if (casesFine && isRunnableLike(otherwise)) expect(outcome.kind).toBe('value');
        else expectConfigThrow(outcome, { mentions: ['cases', 'otherwise'], input: list });
      }),
      RUNS,
    );
  });

  it('every wrapper throws invalid_config naming `runnable` when it is not a Runnable', () => {
    const wrappers: readonly ((r: Runnable) => unknown)[] = [
      (r) => withRetry(r),
      (r) => withTimeout(r, 1_000),
      (r) => withFallbacks(r, []),
      (r) => withCircuitBreaker(r),
      (r) => withCache(r),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...wrappers), anyValue, (wrap, value) => {
        const outcome = outcomeOf(() => wrap(value as Runnable));
        if (isRunnableLike(value)) expect(outcome.kind).toBe('value');
        else expectConfigThrow(outcome, { mentions: ['runnable'], input: value });
      }),
      RUNS,
    );
  });
});

const finiteIn =
  (lo: number, hi: number) =>
  (v: unknown): boolean =>
    typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;
const wholeFrom =
  (lo: number) =>
  (v: unknown): boolean =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= lo;
const isFunction = (v: unknown): boolean => typeof v === 'function';

type FieldRules = Readonly<Record<string, (v: unknown) => boolean>>;

/**
 * Settings objects with each field good or bad, or not an object at all. Returns the names of the
 * bad fields (what the error must mention), or `undefined` when every field is fine.
 */
function settingsArb(rules: FieldRules, good: Readonly<Record<string, unknown>>) {
  const fields = fc.record(
    Object.fromEntries(
      Object.keys(rules).map((key) => [key, mostly(fc.constant(good[key]))] as const),
    ),
    { requiredKeys: [] },
  );
  return fc.oneof({ arbitrary: fields, weight: 4 }, { arbitrary: anyValue, weight: 1 });
}

/**
 * The bad fields; `[]` when the settings are not a readable object at all. `missing` are the
 * values that mean "use the default" (`undefined`; also `null` where `??` picks the default).
 */
function settingsProblem(
  value: unknown,
  rules: FieldRules,
  missing: readonly unknown[] = [undefined],
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return [];
  const copy = safely<Record<string, unknown> | undefined>(() => ({ ...value }), undefined);
  if (copy === undefined) return [];
  const bad = Object.entries(rules)
    .filter(([key, rule]) => !missing.includes(copy[key]) && !rule(copy[key]))
    .map(([key]) => key);
  return bad.length === 0 ? undefined : bad;
}

const POLICY_RULES: FieldRules = {
  maxAttempts: wholeFrom(1),
  initialDelayMs: finiteIn(0, MAX_TIMER_MS),
  maxDelayMs: finiteIn(0, MAX_TIMER_MS),
  multiplier: finiteIn(1, Number.MAX_VALUE),
  jitter: finiteIn(0, 1),
  retryOn: isFunction,
};
const GOOD_POLICY = {
  maxAttempts: 2,
  initialDelayMs: 0,
  maxDelayMs: 10,
  multiplier: 2,
  jitter: 0,
  retryOn: () => true,
};

const BREAKER_RULES: FieldRules = {
  failureThreshold: wholeFrom(1),
  resetTimeoutMs: finiteIn(0, Number.MAX_VALUE),
  halfOpenMaxCalls: wholeFrom(1),
  isFailure: isFunction,
  now: isFunction,
};
const GOOD_BREAKER = {
  failureThreshold: 2,
  resetTimeoutMs: 10,
  halfOpenMaxCalls: 1,
  isFailure: () => true,
  now: Date.now,
};

const CACHE_RULES: FieldRules = {
  store: (v) =>
    safely(
      () => isObject(v) && ['get', 'set', 'delete'].every((m) => typeof v[m] === 'function'),
      false,
    ),
  key: isFunction,
  namespace: (v) => typeof v === 'string',
  ttlMs: (v) => typeof v === 'number' && v > 0 && Number.isFinite(v),
};
const GOOD_CACHE = {
  store: createMemoryCacheStore(),
  key: () => 'k',
  namespace: 'ns',
  ttlMs: 1_000,
};

describe('resilience wrapper options', () => {
  const cases = [
    ['withRetry', POLICY_RULES, GOOD_POLICY, (o: unknown) => withRetry(id, o as object)],
    [
      'withCircuitBreaker',
      BREAKER_RULES,
      GOOD_BREAKER,
      (o: unknown) => withCircuitBreaker(id, o as object),
    ],
    ['withCache', CACHE_RULES, GOOD_CACHE, (o: unknown) => withCache(id, o as object)],
    [
      'withFallbacks',
      { retryOn: isFunction },
      { retryOn: () => true },
      (o: unknown) => withFallbacks(id, [id], o as object),
    ],
  ] as const;

  it.each(cases)(
    '%s(runnable, options) throws invalid_config naming the bad field',
    (name, rules, good, make) => {
      fc.assert(
        fc.property(settingsArb(rules, good), (options) => {
          const outcome = outcomeOf(() => make(options));
          const problem = settingsProblem(options, rules);
          if (problem === undefined) expect(outcome.kind).toBe('value');
          else {
            const mentions = problem.length > 0 ? problem : ['options', 'policy', 'settings'];
            expectConfigThrow(outcome, { mentions: [...mentions, name], input: options });
          }
        }),
        RUNS,
      );
    },
  );

  it('retryPolicy(overrides) returns Err invalid_config naming the bad field, never throws', async () => {
    await fc.assert(
      fc.asyncProperty(settingsArb(POLICY_RULES, GOOD_POLICY), async (overrides) => {
        const outcome = await settle(() => retryPolicy(overrides as object));
        const problem = settingsProblem(overrides, POLICY_RULES);
        if (problem === undefined) expectOk(outcome, overrides);
        else expectErr(outcome, { codes: ['invalid_config'], mentions: problem, input: overrides });
      }),
      RUNS,
    );
  });

  it('withTimeout(runnable, ms) throws invalid_config naming timeoutMs', () => {
    fc.assert(
      fc.property(mostly(fc.constantFrom(1, 1_000, MAX_TIMER_MS)), (ms) => {
        const outcome = outcomeOf(() => withTimeout(id, ms as number));
        if (typeof ms === 'number' && ms >= 0 && ms <= MAX_TIMER_MS) {
          expect(outcome.kind).toBe('value');
        } else expectConfigThrow(outcome, { mentions: ['timeoutMs'], input: ms });
      }),
      RUNS,
    );
  });

  it('withFallbacks(runnable, fallbacks) throws invalid_config naming the fallbacks', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, fc.array(runnableOrAny, { maxLength: 3 })), (fallbacks) => {
        const outcome = outcomeOf(() => withFallbacks(id, fallbacks as Runnable[]));
        const fine = safely(
          () => Array.isArray(fallbacks) && Array.from(fallbacks).every(isRunnableLike),
          false,
        );
        if (fine) {
          expect(outcome.kind).toBe('value');
        } else expectConfigThrow(outcome, { mentions: ['fallbacks'], input: fallbacks });
      }),
      RUNS,
    );
  });

  it('createMemoryCacheStore(options) throws invalid_config naming the bad field', () => {
    const rules: FieldRules = {
      maxEntries: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
      now: isFunction,
    };
    fc.assert(
      fc.property(settingsArb(rules, { maxEntries: 10, now: Date.now }), (options) => {
        const outcome = outcomeOf(() => createMemoryCacheStore(options as object));
        const problem = settingsProblem(options, rules, [undefined, null]);
        if (problem === undefined) expect(outcome.kind).toBe('value');
        else {
          const mentions = problem.length > 0 ? problem : ['options'];
          expectConfigThrow(outcome, { mentions, input: options });
        }
      }),
      RUNS,
    );
  });
});

describe('resolveOptions', () => {
  interface Config {
    readonly name: string;
    readonly count: number;
  }
  const schema = z.object({ name: z.string().min(1), count: z.number().int() });
  const defaults: Config = { name: 'x', count: 1 };
  const setter =
    (field: keyof Config, value: unknown): Option<Config> =>
    (draft) => {
      (draft as Record<string, unknown>)[field] = value;
    };
  const thrower =
    (value: unknown): Option<Config> =>
    () => {
      throw value;
    };

  it('never throws: a non-function, a throwing option or a bad field is an Err naming it', async () => {
    const option = fc.oneof(
      fc.tuple(fc.constantFrom<keyof Config>('name', 'count'), anyValue).map(([f, v]) => ({
        option: setter(f, v),
        field: f,
        value: v,
      })),
      anyValue.map((v) => ({ option: thrower(v), field: 'threw', value: v })),
      anyValue.map((v) => ({ option: v as Option<Config>, field: 'option #', value: v })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(option, { minLength: 1, maxLength: 3 }), async (list) => {
        const outcome = await settle(() =>
          resolveOptions(
            defaults,
            list.map((o) => o.option),
            schema,
            'probe',
          ),
        );
        expectSettled(outcome, list);
        if (outcome.kind === 'err') {
          expectTypedError(outcome.error, {
            codes: ['invalid_config'],
            mentions: ['probe', ...list.map((o) => o.field)],
            input: list,
          });
        }
      }),
      RUNS,
    );
  });

  it('answers an options list that is not an array with invalid_config', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyValue.filter((v) => !Array.isArray(v)),
        async (options) => {
          const outcome = await settle(() =>
            resolveOptions(defaults, options as Option<Config>[], schema, 'probe'),
          );
          expectErr(outcome, { codes: ['invalid_config'], mentions: ['options'], input: options });
        },
      ),
      RUNS,
    );
  });
});

describe('createRegistry', () => {
  it('register answers a bad name or provider with invalid_config; get, has, unregister never throw', async () => {
    await fc.assert(
      fc.asyncProperty(mostly(fc.constantFrom('a', 'b')), anyValue, async (name, provider) => {
        const registry = createRegistry<unknown>('widget provider');
        const registered = await settle(() => registry.register(name as string, provider));
        if (isNonEmptyString(name) && provider !== undefined && provider !== null) {
          expectOk(registered, name);
          expectOk(await settle(() => registry.get(name)), name);
          expectErr(await settle(() => registry.register(name, provider)), {
            codes: ['invalid_config'],
            mentions: ['already registered'],
          });
        } else {
          expectErr(registered, {
            codes: ['invalid_config'],
            mentions: ['name', 'provider', 'widget'],
            input: [name, provider],
          });
        }
        const got = await settle(() => registry.get(name as string));
        if (registry.list().length === 0) {
          expectErr(got, { codes: ['not_found'], mentions: ['widget provider'], input: name });
        }
        expect(typeof registry.has(name as string)).toBe('boolean');
        expect(typeof registry.unregister(name as string)).toBe('boolean');
      }),
      RUNS,
    );
  });
});

describe('error helpers', () => {
  it('toOrchestrationError maps anything to a typed error; the predicates never throw', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const error = toOrchestrationError(value, 'op');
        expectTypedError(error, { input: value });
        expect(typeof isOrchestrationError(value)).toBe('boolean');
        expect(typeof isCancellation(value)).toBe('boolean');
        expect(typeof isRetryable(value)).toBe('boolean');
      }),
      RUNS,
    );
  });
});

/** Every composite and wrapper around a failing step. */
const AROUND: Readonly<Record<string, (step: Runnable) => Runnable>> = {
  alone: (s) => s,
  sequence: (s) => any(sequence(id, s)),
  parallel: (s) => any(parallel({ ok: id, bad: s })),
  branch: (s) => branch([[() => true, s]], id),
  withRetry: (s) => withRetry(s, { maxAttempts: 2, initialDelayMs: 0 }),
  withTimeout: (s) => withTimeout(s, 60_000),
  withFallbacks: (s) => withFallbacks(s, [s]),
  withCircuitBreaker: (s) => withCircuitBreaker(s, { failureThreshold: 1_000 }),
  withCache: (s) => withCache(s, { key: () => 'k' }),
};

describe('failing steps', () => {
  it('a step failing with any value fails the run with a typed error under every method', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FAILURE_KINDS),
        anyValue,
        fc.constantFrom(...Object.keys(AROUND)),
        fc.constantFrom(...METHODS),
        async (kind, value, around, m) => {
          const step = runnable('bad', FAILURES[kind](value));
          const subject = (AROUND[around] as (s: Runnable) => Runnable)(step);
          const outcome = await settle(() => callMethod(any(subject), m, 1, undefined));
          if (m === 'batchSettled') {
            const results = expectOk(outcome) as { isErr(): boolean; error?: unknown }[];
            expect(results[0]?.isErr()).toBe(true);
            expectTypedError(results[0]?.error, { input: value });
          } else expectErr(outcome, { input: value });
        },
      ),
      RUNS,
    );
  });

  it('predicates, retryOn, isFailure and cache keys that throw anything fail the run with a typed error', async () => {
    const failing = runnable('failing', () => {
      throw new Error('fail');
    });
    const throws = (v: unknown) => FAILURES.throws(v) as () => never;
    const makers = [
      (v: unknown) => branch([[throws(v), id]], id),
      (v: unknown) => branch([[FAILURES.rejects(v) as () => Promise<boolean>, id]], id),
      (v: unknown) => withRetry(failing, { initialDelayMs: 0, retryOn: throws(v) }),
      (v: unknown) => withFallbacks(failing, [id], { retryOn: throws(v) }),
      (v: unknown) => withCircuitBreaker(failing, { isFailure: throws(v) }),
      (v: unknown) => withCache(id, { key: throws(v) }),
      (v: unknown) => withCache(id, { key: () => v as string }),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.nat(makers.length - 1),
        anyValue,
        fc.constantFrom(...METHODS),
        async (i, value, m) => {
          const subject = any((makers[i] as (v: unknown) => Runnable)(value));
          const outcome = await settle(() => callMethod(subject, m, 1, undefined));
          if (m === 'batchSettled') {
            const results = expectOk(outcome) as { isErr(): boolean; error?: unknown }[];
            if (results[0]?.isErr() === true) expectTypedError(results[0].error, { input: value });
          } else if (!(i === 6 && typeof value === 'string')) {
            expectErr(outcome, { input: value });
          }
        },
      ),
      RUNS,
    );
  });

  it('a step that never settles stops at timeoutMs and at withTimeout with `timeout`', async () => {
    const stuck = runnable('stuck', () => ({ then: () => undefined }));
    for (const m of METHODS) {
      const run = await settle(() => callMethod(any(stuck), m, 1, { timeoutMs: 20 }));
      if (m === 'batchSettled') {
        const results = expectOk(run) as { error?: unknown }[];
        expectTypedError(results[0]?.error, { codes: ['timeout'] });
      } else expectErr(run, { codes: ['timeout'], mentions: ['20 ms'] });
      const wrapped = await settle(() => callMethod(any(withTimeout(stuck, 20)), m, 1, undefined));
      if (m !== 'batchSettled') expectErr(wrapped, { codes: ['timeout'], mentions: ['20 ms'] });
    }
  });
});

describe('foreign Runnables', () => {
  /** Objects that claim to be Runnables but break the protocol. */
  const FOREIGN: Readonly<Record<string, (v: unknown) => Runnable>> = {
    'invoke resolves to a plain value': (v) => foreign({ invoke: () => Promise.resolve(v) }),
    'invoke returns a plain value': (v) => foreign({ invoke: () => v }),
    'invoke throws': (v) => foreign({ invoke: FAILURES.throws(v) }),
    'invoke rejects': (v) => foreign({ invoke: FAILURES.rejects(v) }),
    'invoke resolves to Ok': (v) => foreign({ invoke: () => Promise.resolve(ok(v)) }),
    'stream throws': (v) => foreign({ stream: FAILURES.throws(v) }),
    'stream returns a plain value': (v) => foreign({ stream: () => v }),
    'stream completes without run-end': () =>
      foreign({ stream: () => new Observable((s) => s.complete()) }),
    'stream errors': (v) => foreign({ stream: () => new Observable((s) => s.error(v)) }),
    'stream emits malformed events': (v) =>
      foreign({
        stream: () =>
          new Observable((s) => {
            s.next(v);
            s.next({ type: 'step-error', step: 'x', error: v });
            s.next({ type: 'run-end', output: 1 });
            s.complete();
          }),
      }),
  };

  function foreign(parts: Partial<Record<'invoke' | 'stream', (...args: unknown[]) => unknown>>) {
    return {
      name: 'foreign',
      invoke: parts.invoke ?? (() => Promise.resolve(ok(1))),
      batch: () => Promise.resolve(ok([])),
      batchSettled: () => Promise.resolve(ok([])),
      stream:
        parts.stream ??
        (() =>
          new Observable((s) => {
            s.next({ type: 'run-end', output: 1 });
            s.complete();
          })),
    } as unknown as Runnable;
  }

  // A foreign Runnable whose invoke returns a promise that never settles hangs by design.
  const settledValue = anyValue.filter(
    (v) => !(isObject(v) && safely(() => typeof v['then'] === 'function', true)),
  );

  it('one that breaks the protocol fails the run with a typed error, never hangs or leaks a rejection', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(FOREIGN)),
        settledValue,
        fc.constantFrom('sequence', 'parallel', 'withRetry', 'withFallbacks'),
        fc.constantFrom(...METHODS),
        async (kind, value, around, m) => {
          const inner = (FOREIGN[kind] as (v: unknown) => Runnable)(value);
          const subject = (AROUND[around] as (s: Runnable) => Runnable)(inner);
          const outcome = await settle(() => callMethod(any(subject), m, 1, undefined));
          const broken =
            kind.startsWith('stream') === (m === 'stream') &&
            kind !== 'stream emits malformed events';
          // A promise cannot carry a value whose `then` getter throws: such an output fails.
          const carried = safely(() => ((value as { then?: unknown } | null)?.then, true), false);
          if (kind === 'invoke resolves to Ok' && carried) expectOk(outcome, value);
          else if (broken && m !== 'batchSettled') expectErr(outcome, { input: value });
          else expectSettled(outcome, value);
        },
      ),
      RUNS,
    );
  });
});

describe('stream helpers', () => {
  it('lastOutput(anything but an Observable) resolves to Err invalid_input', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (value) => {
        const outcome = await settle(() => lastOutput(value as Observable<never>));
        expectErr(outcome, { codes: ['invalid_input'], mentions: ['Observable'], input: value });
      }),
      RUNS,
    );
  });

  it('toAsyncIterable(anything but an Observable) rejects its first next() with invalid_input', async () => {
    for (const value of NASTIES) {
      const outcome = await settle(async () => {
        const iterator = toAsyncIterable(value as Observable<never>)[Symbol.asyncIterator]();
        return iterator.next();
      });
      expect(outcome.kind, typeof value).toBe('rejected');
      expectTypedError((outcome as { error: unknown }).error, {
        codes: ['invalid_input'],
        mentions: ['Observable'],
      });
    }
  });
});

describe('objects whose getters throw', () => {
  it('are refused where a Runnable, options or a policy is expected', async () => {
    const nasty = [
      throwingProxy({}),
      throwingGetters(['name', 'invoke', 'stream', 'signal', 'maxAttempts', 'retryOn']),
    ];
    for (const value of nasty) {
      expectConfigThrow(
        outcomeOf(() => sequence(value as Runnable)),
        { mentions: ['step'] },
      );
      expectConfigThrow(
        outcomeOf(() => withRetry(id, value)),
        { mentions: ['policy'] },
      );
      expectConfigThrow(
        outcomeOf(() => withFallbacks(id, [], value)),
        { mentions: ['options'] },
      );
      expectErr(await settle(() => id.invoke(1, value)), {
        codes: ['invalid_config'],
        mentions: ['options', 'signal'],
      });
      expectErr(await settle(() => id.stream(1, value)), { codes: ['invalid_config'] });
    }
  });
});
