/**
 * Bad input to the public API of @baton/chain gets a typed OrchestrationError that says what to
 * fix: `createChain` and the `withChain*` options answer with an `Err` naming the step or option,
 * runs answer bad options and inputs with an `Err`, and nothing throws, rejects, hangs or leaves a
 * timer behind.
 */
import { metrics, trace } from '@opentelemetry/api';
import {
  noopLogger,
  runnable,
  withLogger,
  withMeterProvider,
  withMetricsPrefix,
  withTracerProvider,
  type ChainProvider,
  type Memory,
  type Registry,
} from '@baton/core';
import { trackTimers } from '@baton/test-support';
import fc from 'fast-check';
import { okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import {
  anyValue,
  callMethod,
  expectErr,
  expectOk,
  expectSettled,
  expectTypedError,
  FAILURE_KINDS,
  FAILURES,
  failOnProcessErrors,
  isNonEmptyString,
  isObject,
  METHODS,
  mostly,
  runOptionsArb,
  runOptionsProblem,
  RUNS,
  safely,
  settle,
} from '../../core/test/bad-input-contract.js';
import {
  createChain,
  createChainWithRegistry,
  defaultChainRegistry,
  registerChainProvider,
  withChainDescription,
  withChainInputKeys,
  withChainMemory,
  withChainName,
  withChainOutputKeys,
  withChainProvider,
  withChainRetries,
  withChainRetryPolicy,
  withChainStepTimeout,
  withChainTimeout,
  type ChainOption,
} from '../src/index.js';

failOnProcessErrors();

const id = runnable('id', (x: unknown) => x);
/** `createChain` without its compile-time step checks, as JavaScript callers have it. */
const loose = createChain as (steps: unknown, ...options: unknown[]) => unknown;
const chainOf = (...options: ChainOption[]) => createChain([id], ...options)._unsafeUnwrap();

const memory = (): Memory => ({
  memoryKeys: ['history'],
  load: () => okAsync({ history: [] }),
  save: () => okAsync(undefined),
  clear: () => okAsync(undefined),
});

/** Whether `createChain` can turn `step` into a Runnable: a function or an object with invoke. */
function isStep(step: unknown): boolean {
  return safely(() => {
    if (typeof step === 'function') return typeof step.name === 'string';
    if (!isObject(step)) return false;
    Reflect.get(step, 'name'); // createChain names the step after it: reading must not throw
    return typeof step['invoke'] === 'function';
  }, false);
}

describe('createChain(steps)', () => {
  it('answers steps that are not a non-empty array of steps with invalid_config naming them', async () => {
    const goodStep = fc.constantFrom<unknown>(id, (x: unknown) => x, { invoke: (x: unknown) => x });
    const steps = fc.oneof(anyValue, fc.array(fc.oneof(goodStep, anyValue), { maxLength: 3 }));
    await fc.assert(
      fc.asyncProperty(steps, async (value) => {
        const outcome = await settle(() => loose(value));
        const fine = safely(
          () => Array.isArray(value) && value.length > 0 && Array.from(value).every(isStep),
          false,
        );
        if (fine) expectOk(outcome, value);
        else expectErr(outcome, { codes: ['invalid_config'], mentions: ['step'], input: value });
      }),
      RUNS,
    );
  });
});

const POLICY_RULES: Readonly<Record<string, (v: unknown) => boolean>> = {
  // withChainRetries alone sets the attempts: a policy with maxAttempts is refused.
  maxAttempts: () => false,
  initialDelayMs: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 2 ** 31,
  maxDelayMs: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 2 ** 31,
  multiplier: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 1,
  jitter: (v) => typeof v === 'number' && v >= 0 && v <= 1,
  retryOn: (v) => typeof v === 'function',
};

const isMs = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const trimmedUnique = (keys: unknown): boolean => {
  const list = keys as unknown[];
  if (!list.every(isNonEmptyString)) return false;
  const trimmed = list.map((k) => k.trim());
  return new Set(trimmed).size === trimmed.length;
};

/** Each option: how to build it from a value, good values, and which values it accepts. */
const OPTIONS: Readonly<
  Record<
    string,
    {
      readonly make: (v: unknown) => ChainOption;
      readonly good: fc.Arbitrary<unknown>;
      readonly fits: (v: unknown) => boolean;
      readonly field: string;
    }
  >
> = {
  withChainName: {
    make: (v) => withChainName(v as string),
    good: fc.constantFrom('a', ' b '),
    fits: isNonEmptyString,
    field: 'name',
  },
  withChainDescription: {
    make: (v) => withChainDescription(v as string),
    good: fc.constantFrom('', 'text'),
    fits: (v) => typeof v === 'string',
    field: 'description',
  },
  withChainTimeout: {
    make: (v) => withChainTimeout(v as number),
    good: fc.constantFrom(0, 1_000),
    fits: isMs,
    field: 'timeoutMs',
  },
  withChainStepTimeout: {
    make: (v) => withChainStepTimeout(v as number),
    good: fc.constantFrom(0, 1_000),
    fits: isMs,
    field: 'stepTimeoutMs',
  },
  withChainRetries: {
    make: (v) => withChainRetries(v as number),
    good: fc.constantFrom(0, 2),
    fits: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
    field: 'retries',
  },
  withChainRetryPolicy: {
    make: (v) => withChainRetryPolicy(v as object),
    good: fc.record(
      {
        maxAttempts: fc.constantFrom(undefined, 2),
        initialDelayMs: mostly(fc.constant(0)),
        jitter: mostly(fc.constant(0.5)),
        retryOn: mostly(fc.constant(() => true)),
      },
      { requiredKeys: [] },
    ),
    fits: (v) =>
      safely(() => {
        if (!isObject(v)) return false;
        const copy: Record<string, unknown> = { ...v };
        return Object.entries(POLICY_RULES).every(
          ([key, rule]) => copy[key] === undefined || rule(copy[key]),
        );
      }, false),
    field: 'retryPolicy',
  },
  withChainMemory: {
    make: (v) => withChainMemory(v as Memory),
    good: fc.constant(null).map(memory),
    // `undefined` means no memory, the default.
    fits: (v) =>
      v === undefined ||
      safely(
        () => isObject(v) && typeof v['load'] === 'function' && typeof v['save'] === 'function',
        false,
      ),
    field: 'memory',
  },
  withChainInputKeys: {
    make: (v) => withChainInputKeys(...(v as string[])),
    good: fc.constant([]),
    fits: trimmedUnique,
    field: 'inputKeys',
  },
  withChainOutputKeys: {
    make: (v) => withChainOutputKeys(...(v as string[])),
    good: fc.constant([]),
    fits: trimmedUnique,
    field: 'outputKeys',
  },
  withTracerProvider: {
    make: (v) => withTracerProvider(v as never),
    good: fc.constant(null).map(() => trace.getTracerProvider()),
    fits: (v) =>
      v === undefined || safely(() => isObject(v) && typeof v['getTracer'] === 'function', false),
    field: 'tracerProvider',
  },
  withMeterProvider: {
    make: (v) => withMeterProvider(v as never),
    good: fc.constant(null).map(() => metrics.getMeterProvider()),
    fits: (v) =>
      v === undefined || safely(() => isObject(v) && typeof v['getMeter'] === 'function', false),
    field: 'meterProvider',
  },
  withLogger: {
    make: (v) => withLogger(v as never),
    good: fc.constant(noopLogger),
    fits: (v) =>
      v === undefined ||
      safely(
        () =>
          isObject(v) &&
          ['debug', 'info', 'warn', 'error'].every((m) => typeof v[m] === 'function'),
        false,
      ),
    field: 'logger',
  },
  withMetricsPrefix: {
    make: (v) => withMetricsPrefix(v as string),
    good: fc.constantFrom('app', ' app '),
    fits: (v) => v === undefined || isNonEmptyString(v),
    field: 'metricsPrefix',
  },
};

/** Values for an option taking a list of keys: mostly lists of strings, some of anything. */
const keyLists = fc.array(mostly(fc.constantFrom('a', 'b', ' a')), { maxLength: 3 });

describe('withChain* options', () => {
  it('answer any bad value with invalid_config naming the option or its field', async () => {
    const names = Object.keys(OPTIONS);
    const arb = fc.constantFrom(...names).chain((name) => {
      const spec = OPTIONS[name] as (typeof OPTIONS)[string];
      const value = name.endsWith('Keys') ? keyLists : mostly(spec.good);
      return fc.tuple(fc.constant(name), value);
    });
    await fc.assert(
      fc.asyncProperty(arb, async ([name, value]) => {
        const spec = OPTIONS[name] as (typeof OPTIONS)[string];
        const outcome = await settle(() => createChain([id], spec.make(value)));
        if (spec.fits(value)) expectOk(outcome, value);
        else {
          const mentions = [name, spec.field];
          if (name === 'withChainRetryPolicy') mentions.push('withChainRetries', 'retries');
          expectErr(outcome, { codes: ['invalid_config'], mentions, input: value });
        }
      }),
      RUNS,
    );
  });

  it('withChainProvider answers a bad name with invalid_config, an unknown one with not_found', async () => {
    await fc.assert(
      fc.asyncProperty(mostly(fc.constantFrom('simple', ' simple ', 'nope')), async (name) => {
        const outcome = await settle(() => createChain([id], withChainProvider(name as string)));
        if (isNonEmptyString(name) && name.trim() === 'simple') expectOk(outcome, name);
        else if (isNonEmptyString(name)) {
          expectErr(outcome, {
            codes: ['not_found'],
            mentions: ['withChainProvider'],
            input: name,
          });
        } else {
          const mentions = ['withChainProvider', 'provider'];
          expectErr(outcome, { codes: ['invalid_config'], mentions, input: name });
        }
      }),
      RUNS,
    );
  });

  it('answer anything that is not an option function with invalid_config naming its position', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (option) => {
        const outcome = await settle(() => loose([id], withChainName('ok'), option));
        if (typeof option === 'function') expectSettled(outcome, option);
        else {
          expectErr(outcome, { codes: ['invalid_config'], mentions: ['option #2'], input: option });
        }
      }),
      RUNS,
    );
  });
});

describe('registries and providers', () => {
  it('registerChainProvider answers a bad name or provider with invalid_config', async () => {
    const before = defaultChainRegistry().list();
    await fc.assert(
      fc.asyncProperty(anyValue, anyValue, async (name, provider) => {
        // Only bad registrations: a good one would stay in the process-wide registry.
        fc.pre(!isNonEmptyString(name) || provider === undefined || provider === null);
        const outcome = await settle(() =>
          registerChainProvider(name as string, provider as never),
        );
        expectErr(outcome, { codes: ['invalid_config'], input: [name, provider] });
      }),
      RUNS,
    );
    expect(defaultChainRegistry().list()).toEqual(before);
  });

  it('createChainWithRegistry answers a registry or provider that breaks the contract with a typed Err', async () => {
    const misbehaving = (value: unknown): Registry<ChainProvider> => {
      const registry = defaultChainRegistry().clone();
      registry.unregister('simple');
      registry.register('simple', {
        createChain: () => value as never,
      });
      return registry;
    };
    await fc.assert(
      fc.asyncProperty(fc.boolean(), anyValue, async (asRegistry, value) => {
        const registry = asRegistry ? (value as Registry<ChainProvider>) : misbehaving(value);
        const outcome = await settle(() => createChainWithRegistry(registry, [id]));
        expectErr(outcome, { input: value });
      }),
      RUNS,
    );
  });
});

/** Chains around an identity step, each with a different part of the machinery switched on. */
const SUBJECTS = {
  plain: () => chainOf(),
  retries: () => chainOf(withChainRetries(1), withChainRetryPolicy({ initialDelayMs: 0 })),
  timeouts: () => chainOf(withChainTimeout(60_000), withChainStepTimeout(60_000)),
  'output keys': () =>
    createChain([() => ({ a: 1 })], withChainOutputKeys('a'))._unsafeUnwrap() as never,
};

describe('run options', () => {
  it.each(Object.keys(SUBJECTS))(
    '%s chain: every method answers bad options with invalid_config naming the field',
    async (name) => {
      const subject = (SUBJECTS as Record<string, () => object>)[name]?.() as object;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...METHODS), runOptionsArb(true), async (m, options) => {
          const problem = runOptionsProblem(options, m === 'batch' || m === 'batchSettled');
          const outcome = await settle(() => callMethod(subject, m, { q: 1 }, options));
          if (problem === undefined) expectOk(outcome, options);
          else if (
            m === 'batchSettled' &&
            problem.every((p) => ['timeoutMs', 'metadata', 'configurable', 'tags'].includes(p))
          ) {
            const results = expectOk(outcome, options) as { error?: unknown }[];
            expectTypedError(results[0]?.error, { codes: ['invalid_config'], mentions: problem });
          } else {
            expectErr(outcome, { codes: ['invalid_config'], mentions: problem, input: options });
          }
        }),
        RUNS,
      );
    },
  );

  it('batch and batchSettled answer inputs that are not an array with invalid_input', async () => {
    const chain = chainOf();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('batch', 'batchSettled'), anyValue, async (m, inputs) => {
        const batch = (chain as unknown as Record<string, (inputs: unknown) => unknown>)[m];
        const outcome = await settle(() => batch?.call(chain, inputs));
        if (!Array.isArray(inputs)) {
          expectErr(outcome, { codes: ['invalid_input'], mentions: ['inputs'], input: inputs });
        } else expectSettled(outcome, inputs);
      }),
      RUNS,
    );
  });
});

/** Whether `key in input` holds for a plain object input (what input keys and memory need). */
const hasKey = (input: unknown, key: string): boolean =>
  safely(() => isObject(input) && !Array.isArray(input) && key in input, false);

/** A non-array object whose properties can all be read (what a chain with memory needs). */
const isReadableRecord = (input: unknown): boolean =>
  safely(() => {
    if (!isObject(input) || Array.isArray(input)) return false;
    Object.assign({}, input); // reads every property, as the chain copies the input
    return true;
  }, false);

describe('inputs and outputs', () => {
  it('input keys and memory answer inputs that are not objects with the keys with invalid_input', async () => {
    const withKeys = chainOf(withChainInputKeys('q'));
    const withMemory = chainOf(withChainMemory(memory()));
    const input = mostly(fc.constantFrom({ q: 1 }, { q: undefined, r: 2 }));
    await fc.assert(
      fc.asyncProperty(fc.boolean(), input, fc.constantFrom(...METHODS), async (keys, value, m) => {
        const chain = keys ? withKeys : withMemory;
        const outcome = await settle(() => callMethod(chain, m, value, undefined));
        const fine = keys ? hasKey(value, 'q') : isReadableRecord(value);
        if (m === 'batchSettled') {
          const results = expectOk(outcome, value) as { isOk(): boolean; error?: unknown }[];
          if (fine) expect(results[0]?.isOk()).toBe(true);
          else expectTypedError(results[0]?.error, { codes: ['invalid_input'], input: value });
        } else if (fine) expectOk(outcome, value);
        else {
          const mentions = keys ? ['"q"', 'input'] : ['input'];
          expectErr(outcome, { codes: ['invalid_input'], mentions, input: value });
        }
      }),
      RUNS,
    );
  });

  it('output keys answer a last output without the key with execution_failed naming it', async () => {
    const output = mostly(fc.constantFrom({ a: 1 }, { a: undefined }));
    await fc.assert(
      fc.asyncProperty(output, fc.constantFrom('invoke', 'stream'), async (value, m) => {
        // A step's promise output is awaited: one that never settles hangs the run by design.
        fc.pre(
          !safely(() => typeof (value as { then?: unknown } | null)?.then === 'function', false),
        );
        const chain = createChain([() => value], withChainOutputKeys('a'))._unsafeUnwrap();
        const outcome = await settle(() => callMethod(chain, m, 1, undefined));
        // An output whose `then` getter throws fails the step.
        const plain = safely(
          () => typeof (value as { then?: unknown } | null)?.then !== 'function',
          false,
        );
        if (!plain) expectSettled(outcome, value);
        else if (hasKey(value, 'a')) expectOk(outcome, value);
        else {
          const mentions = ['"a"', 'output'];
          expectErr(outcome, { codes: ['execution_failed'], mentions, input: value });
        }
      }),
      RUNS,
    );
  });
});

describe('failing steps', () => {
  it('a step failing with any value fails the run with a typed error, with and without retries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FAILURE_KINDS),
        anyValue,
        fc.boolean(),
        fc.constantFrom(...METHODS),
        async (kind, value, retries, m) => {
          const options = retries
            ? [withChainRetries(1), withChainRetryPolicy({ initialDelayMs: 0 })]
            : [];
          const chain = createChain([id, FAILURES[kind](value), id], ...options)._unsafeUnwrap();
          const outcome = await settle(() => callMethod(chain, m, 1, undefined));
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

  it('a step that never settles stops at every kind of timeout, leaving no timer behind', async () => {
    const stuck = () => ({ then: () => undefined });
    const ways: readonly [string, ChainOption[], object | undefined][] = [
      ['withChainTimeout', [withChainTimeout(20)], undefined],
      ['withChainStepTimeout', [withChainStepTimeout(20)], undefined],
      ['RunOptions.timeoutMs', [], { timeoutMs: 20 }],
      ['retried step timeouts', [withChainStepTimeout(10), withChainRetries(1)], undefined],
    ];
    const timers = trackTimers();
    try {
      for (const [way, options, runOptions] of ways) {
        const chain = createChain([id, stuck], ...options)._unsafeUnwrap();
        for (const m of METHODS) {
          const outcome = await settle(() => callMethod(chain, m, 1, runOptions));
          const expected = { codes: ['timeout', 'max_retries_exceeded'] as const, input: way };
          if (m === 'batchSettled') {
            const results = expectOk(outcome) as { error?: unknown }[];
            expectTypedError(results[0]?.error, expected);
          } else expectErr(outcome, { ...expected, mentions: ['timed out'] });
        }
      }
      expect(timers.pending()).toBe(0);
    } finally {
      timers.restore();
    }
  });

  it('a memory that breaks its contract fails the run with dependency_failed, keeping the output', async () => {
    const broken = (value: unknown, phase: 'load' | 'save'): Memory => ({
      ...memory(),
      [phase]: () => value as never,
    });
    await fc.assert(
      fc.asyncProperty(anyValue, fc.constantFrom('load', 'save'), async (value, phase) => {
        // A memory whose promise never settles hangs the run by design (bound it with a timeout).
        fc.pre(
          !safely(() => typeof (value as { then?: unknown } | null)?.then === 'function', false),
        );
        const chain = chainOf(withChainMemory(broken(value, phase)));
        const outcome = await settle(() => chain.invoke({ q: 1 }));
        const error = expectErr(outcome, { codes: ['dependency_failed'], mentions: [phase] });
        // The first step got the input merged with what memory loaded.
        if (phase === 'save') expect(error.details['output']).toEqual({ history: [], q: 1 });
      }),
      RUNS,
    );
  });
});
