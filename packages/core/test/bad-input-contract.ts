/**
 * The bad-input contract shared by the `bad-input.test.ts` suites of core, chain and graph: bad
 * input gets a typed `OrchestrationError` whose message says what to fix, never a raw throw, an
 * unhandled rejection, a hang or a crash. Holds the nasty values, the arbitraries of fast-check,
 * `settle` (runs a call of any shape against a deadline) and the assertions.
 */
import fc from 'fast-check';
import { err, errAsync } from 'neverthrow';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  ERROR_CODES,
  isOrchestrationError,
  type ErrorCode,
  type OrchestrationError,
  type RunEvent,
} from '../src/index.js';

/** How long a call may take before it counts as a hang. */
export const HANG_MS = 2_000;

/** Runs per property: enough to meet every nasty value, cheap enough for 2 cores. */
export const RUNS = { numRuns: 150 } as const;

// ---------------------------------------------------------------------------------------------
// Nasty values

/**
 * fast-check inspects every value it generates or prints through keys of its own (`in`, then a
 * read): nasty values answer those, so that fast-check can carry and print them, and throw for
 * every other key, as the code under test sees them.
 */
const FAST_CHECK_TO_STRING = Symbol.for('fast-check/toStringMethod');
const isFastCheckKey = (key: PropertyKey): boolean =>
  typeof key === 'symbol' && (key.description ?? '').startsWith('fast-check/');

/** An object (or function, with a function target) whose every trap throws. */
export function throwingProxy<T extends object>(target: T): T {
  const boom = (trap: string): never => {
    throw new Error(`proxy trap ${trap} threw`);
  };
  const label = `throwingProxy(${Array.isArray(target) ? '[]' : typeof target})`;
  return new Proxy(target, {
    get: (_t, key) => (key === FAST_CHECK_TO_STRING ? () => label : boom('get')),
    has: (_t, key) => (isFastCheckKey(key) ? key === FAST_CHECK_TO_STRING : boom('has')),
    ownKeys: () => boom('ownKeys'),
    getOwnPropertyDescriptor: () => boom('getOwnPropertyDescriptor'),
    getPrototypeOf: () => boom('getPrototypeOf'),
    apply: () => boom('apply'),
    set: () => boom('set'),
    defineProperty: () => boom('defineProperty'),
  });
}

/** An object whose listed properties throw (non-Error values, the worst kind) when read. */
export function throwingGetters(keys: readonly string[]): object {
  const out = {};
  Object.defineProperty(out, FAST_CHECK_TO_STRING, {
    value: () => `throwingGetters(${keys.join(', ')})`,
  });
  for (const key of keys) {
    Object.defineProperty(out, key, {
      enumerable: true,
      get(): never {
        const thrown: unknown = Object.create(null);
        throw thrown;
      },
    });
  }
  return out;
}

function cyclic(prototype: object | null): object {
  const out = Object.create(prototype) as Record<string, unknown>;
  out['self'] = out;
  out['list'] = [out];
  return out;
}

const never = new Promise<never>(() => undefined);
const rejected = Promise.reject(new Error('already rejected'));
rejected.catch(() => undefined);

/** Hand-picked values that break naive code: the same instances each time (they are inert). */
export const NASTIES: readonly unknown[] = [
  null,
  undefined,
  NaN,
  -1,
  0,
  -0,
  1.5,
  Infinity,
  -Infinity,
  2 ** 53,
  '',
  '   ',
  '\u0000',
  '__proto__',
  'x'.repeat(100_000),
  Symbol('nasty'),
  10n,
  true,
  {},
  [],
  [undefined],
  Object.create(null),
  cyclic(Object.prototype),
  cyclic(null),
  Object.freeze({ a: 1 }),
  Object.freeze([]),
  throwingGetters([
    'name',
    'invoke',
    'stream',
    'then',
    'signal',
    'timeoutMs',
    'runId',
    'metadata',
    'maxConcurrency',
    'required',
    'load',
    'save',
    'get',
    'set',
    'delete',
    'toJSON',
  ]),
  throwingProxy({}),
  throwingProxy([]),
  throwingProxy(() => undefined),
  (): number => 1,
  new Date(NaN),
  /re/,
  new Map([[1, 2]]),
  new Set([1]),
  new Error('an error'),
  never,
  rejected,
  new AbortController(),
];

/** Any value: fast-check's `anything` with every kind of object it can make, plus the nasties. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    maxDepth: 2,
  }),
  fc.constantFrom(...NASTIES),
);

/** `good` most of the time, else any value (mostly a bad one). */
export function mostly<T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: good, weight: 1 }, { arbitrary: anyValue, weight: 2 });
}

/** Reads `read()`, or returns `fallback` when reading throws (a Proxy, a throwing getter). */
export function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null;

/** Whether `v` looks like a Runnable to the code under test (name, invoke, stream). */
export function isRunnableLike(v: unknown): boolean {
  return safely(
    () =>
      isObject(v) &&
      typeof v['name'] === 'string' &&
      typeof v['invoke'] === 'function' &&
      typeof v['stream'] === 'function',
    false,
  );
}

export const isNonEmptyString = (v: unknown): v is string =>
  typeof v === 'string' && v.trim() !== '';

/** Shows a value in a failure message without ever throwing. */
export function show(v: unknown): string {
  if (typeof v === 'string') return v.length > 60 ? `'${v.slice(0, 60)}…'` : `'${v}'`;
  if (typeof v === 'bigint') return `${v}n`;
  return safely(() => fc.stringify(v), `an unprintable ${typeof v}`);
}

export type FailureKind =
  | 'throws'
  | 'rejects'
  | 'returns Err'
  | 'returns errAsync'
  | 'returns a thenable whose then throws'
  | 'yields then throws';

/** Ways a step function can fail with `value`. */
export const FAILURES: Readonly<Record<FailureKind, (value: unknown) => () => unknown>> = {
  throws: (v: unknown) => () => {
    throw v;
  },
  rejects: (v: unknown) => () => Promise.reject(v),
  'returns Err': (v: unknown) => () => err(v),
  'returns errAsync': (v: unknown) => () => errAsync(v),
  'returns a thenable whose then throws': (v: unknown) => () => ({
    then() {
      throw v;
    },
  }),
  'yields then throws': (v: unknown) =>
    async function* () {
      yield 'a';
      await Promise.resolve();
      throw v;
    },
};
export const FAILURE_KINDS: readonly FailureKind[] = [
  'throws',
  'rejects',
  'returns Err',
  'returns errAsync',
  'returns a thenable whose then throws',
  'yields then throws',
];

// ---------------------------------------------------------------------------------------------
// Run options

export const goodSignal = (): AbortSignal => new AbortController().signal;

/** Run options with each field good or bad, or options that are not an object at all. */
export function runOptionsArb(batch: boolean): fc.Arbitrary<unknown> {
  const fields = fc.record(
    {
      signal: mostly(fc.constant(null).map(goodSignal)),
      timeoutMs: mostly(fc.constantFrom(1_000, 60_000, 2 ** 31, Infinity)),
      runId: mostly(fc.constantFrom('run-1', 'a b')),
      metadata: mostly(fc.constantFrom({}, { user: 'ada' }, Object.freeze({ a: 1 }))),
      configurable: mostly(fc.constantFrom({}, { model: 'small' })),
      tags: mostly(fc.constantFrom([], ['a', 'b'], Object.freeze(['t']))),
      ...(batch ? { maxConcurrency: mostly(fc.constantFrom(1, 2, Infinity)) } : {}),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { arbitrary: fields, weight: 4 },
    { arbitrary: anyValue, weight: 1 },
    {
      arbitrary: fc.constantFrom(
        throwingGetters(['signal', 'timeoutMs', 'runId', 'metadata', 'maxConcurrency']),
        throwingGetters(['configurable', 'tags']),
      ),
      weight: 1,
    },
  );
}

function isSignal(v: unknown): boolean {
  return safely(
    () =>
      isObject(v) &&
      typeof v['aborted'] === 'boolean' &&
      typeof v['addEventListener'] === 'function' &&
      typeof v['removeEventListener'] === 'function',
    false,
  );
}

/**
 * What is wrong with run options, as the words an error must mention (any one of them), or
 * `undefined` when they are fine.
 */
export function runOptionsProblem(options: unknown, batch: boolean): string[] | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return ['options'];
  }
  const problems: string[] = [];
  const read = (key: string): unknown => {
    try {
      return (options as Record<string, unknown>)[key];
    } catch {
      problems.push('options', key);
      return undefined;
    }
  };
  const signal = read('signal');
  if (signal !== undefined && !isSignal(signal)) problems.push('signal');
  const timeoutMs = read('timeoutMs');
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0)) {
    problems.push('timeoutMs');
  }
  const runId = read('runId');
  if (runId !== undefined && !isNonEmptyString(runId)) problems.push('runId');
  const metadata = read('metadata');
  if (metadata !== undefined && !(isObject(metadata) && !Array.isArray(metadata))) {
    problems.push('metadata');
  }
  const configurable = read('configurable');
  if (configurable !== undefined && !(isObject(configurable) && !Array.isArray(configurable))) {
    problems.push('configurable');
  }
  const tags = read('tags');
  if (
    tags !== undefined &&
    !(Array.isArray(tags) && safely(() => tags.every((t) => typeof t === 'string'), false))
  ) {
    problems.push('tags');
  }
  if (batch) {
    const max = read('maxConcurrency');
    const fine =
      max === undefined ||
      max === Infinity ||
      (typeof max === 'number' && Number.isInteger(max) && max > 0);
    if (!fine) problems.push('maxConcurrency');
  }
  return problems.length === 0 ? undefined : problems;
}

export type Method = 'invoke' | 'batch' | 'batchSettled' | 'stream';
export const METHODS: readonly Method[] = ['invoke', 'batch', 'batchSettled', 'stream'];

/** Calls `method` of `r` with untyped arguments, as JavaScript callers can (`batch*` get `[input]`). */
export function callMethod(r: object, method: Method, input: unknown, options: unknown): unknown {
  const loose = r as Record<Method, (input: unknown, options: unknown) => unknown>;
  return method === 'invoke' || method === 'stream'
    ? loose[method].call(r, input, options)
    : loose[method].call(r, [input], options);
}

// ---------------------------------------------------------------------------------------------
// Settling a call of any shape

export type Outcome =
  | { readonly kind: 'ok'; readonly value: unknown; readonly events?: readonly RunEvent[] }
  | { readonly kind: 'err'; readonly error: unknown; readonly events?: readonly RunEvent[] }
  | { readonly kind: 'threw'; readonly error: unknown }
  | { readonly kind: 'rejected'; readonly error: unknown }
  | { readonly kind: 'hang' }
  | { readonly kind: 'value'; readonly value: unknown };

interface ResultLike {
  isOk(): boolean;
  isErr(): boolean;
  value?: unknown;
  error?: unknown;
}

function isResult(v: unknown): v is ResultLike {
  return (
    isObject(v) &&
    typeof v['isOk'] === 'function' &&
    typeof v['isErr'] === 'function' &&
    typeof v['then'] !== 'function'
  );
}

function fromResult(r: ResultLike): Outcome {
  return r.isOk() ? { kind: 'ok', value: r.value } : { kind: 'err', error: r.error };
}

interface Subscribable {
  subscribe(observer: {
    next(event: RunEvent): void;
    error(error: unknown): void;
    complete(): void;
  }): { unsubscribe(): void };
}

const isSubscribable = (v: unknown): v is Subscribable =>
  isObject(v) && typeof v['subscribe'] === 'function';

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (isObject(v) || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

/** Waits for `promise`, or reports a hang after `ms`; always clears its timer. */
async function deadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof HANG> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<typeof HANG>((resolve) => {
    timer = setTimeout(() => resolve(HANG), ms);
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}
const HANG: unique symbol = Symbol('hang');

function subscribeAll(events$: Subscribable): {
  done: Promise<Outcome>;
  unsubscribe: () => void;
} {
  const events: RunEvent[] = [];
  let unsubscribe = (): void => undefined;
  const done = new Promise<Outcome>((resolve) => {
    try {
      const subscription = events$.subscribe({
        next: (event) => events.push(event),
        error: (error) => resolve({ kind: 'err', error, events }),
        complete: () => {
          const end = events.find((e) => e.type === 'run-end');
          resolve({ kind: 'ok', value: end?.type === 'run-end' ? end.output : undefined, events });
        },
      });
      unsubscribe = () => subscription.unsubscribe();
    } catch (error) {
      resolve({ kind: 'threw', error });
    }
  });
  return { done, unsubscribe: () => unsubscribe() };
}

/**
 * Calls `call` and classifies what it did: a `Result`, a `ResultAsync` or promise of one, an
 * Observable of run events (subscribed until it completes or errors), a throw, a rejection, a
 * hang (nothing after {@link HANG_MS}), or another value.
 */
export async function settle(call: () => unknown, ms = HANG_MS): Promise<Outcome> {
  let produced: unknown;
  try {
    produced = call();
  } catch (error) {
    return { kind: 'threw', error };
  }
  if (isResult(produced)) return fromResult(produced);
  if (isSubscribable(produced)) {
    const { done, unsubscribe } = subscribeAll(produced);
    const outcome = await deadline(done, ms);
    if (outcome !== HANG) return outcome;
    unsubscribe();
    return { kind: 'hang' };
  }
  if (isThenable(produced)) {
    let rejection: { error: unknown } | undefined;
    const value = await deadline(
      Promise.resolve(produced).then(
        (v) => v,
        (error: unknown) => {
          rejection = { error };
          return undefined;
        },
      ),
      ms,
    );
    if (value === HANG) return { kind: 'hang' };
    if (rejection !== undefined) return { kind: 'rejected', error: rejection.error };
    return isResult(value) ? fromResult(value) : { kind: 'value', value };
  }
  return { kind: 'value', value: produced };
}

// ---------------------------------------------------------------------------------------------
// Assertions

export interface Expected {
  /** Codes the error may have; any of the 13 when absent. */
  readonly codes?: readonly ErrorCode[];
  /** Words the message must contain (any one of them, case-insensitive). */
  readonly mentions?: readonly string[];
  /** What was passed, for the failure message. */
  readonly input?: unknown;
}

function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'hang':
      return `nothing within ${HANG_MS} ms (a hang)`;
    case 'ok':
    case 'value':
      return `${outcome.kind} ${show(outcome.value)}`;
    default:
      return `${outcome.kind} ${describeError(outcome.error)}`;
  }
}

function describeError(error: unknown): string {
  if (isOrchestrationError(error)) return `OrchestrationError(${error.code}): ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return show(error);
}

/** Asserts that `error` is a typed error that says what to fix. */
export function expectTypedError(error: unknown, expected: Expected = {}): OrchestrationError {
  const context = `for input ${show(expected.input)}`;
  expect(isOrchestrationError(error), `${context}: ${describeError(error)}`).toBe(true);
  const e = error as OrchestrationError;
  expect(ERROR_CODES, `${context}: unknown code`).toContain(e.code);
  if (expected.codes !== undefined) {
    expect(expected.codes, `${context}: ${describeError(e)}`).toContain(e.code);
  }
  expect(typeof e.message, context).toBe('string');
  expect(e.message.trim().length, `${context}: empty message`).toBeGreaterThan(0);
  const mentions = expected.mentions;
  if (mentions !== undefined && mentions.length > 0) {
    const text = e.message.toLowerCase();
    const found = mentions.some((m) => text.includes(m.toLowerCase()));
    expect(found, `${context}: "${e.message}" mentions none of ${mentions.join(', ')}`).toBe(true);
  }
  return e;
}

/** Asserts the call returned (or resolved to) an `Err` holding a typed error. */
export function expectErr(outcome: Outcome, expected: Expected = {}): OrchestrationError {
  const context = `for input ${show(expected.input)}`;
  expect(outcome.kind, `${context}: expected an Err, got ${describeOutcome(outcome)}`).toBe('err');
  const error = expectTypedError((outcome as { error: unknown }).error, expected);
  const events = (outcome as { events?: readonly RunEvent[] }).events;
  if (events !== undefined) {
    // A failed stream reports the failure as a step-error event before erroring.
    const reported = events.some((e) => e.type === 'step-error');
    expect(reported, `${context}: the stream errored without a step-error event`).toBe(true);
  }
  return error;
}

/** Asserts the call succeeded (`Ok`, or a completed stream). */
export function expectOk(outcome: Outcome, input?: unknown): unknown {
  expect(outcome.kind, `for input ${show(input)}: got ${describeOutcome(outcome)}`).toBe('ok');
  return (outcome as { value: unknown }).value;
}

/**
 * Asserts a definition-time programmer error: the call threw an `invalid_config`
 * OrchestrationError (the README documents these throws).
 */
export function expectConfigThrow(outcome: Outcome, expected: Expected = {}): OrchestrationError {
  const context = `for input ${show(expected.input)}`;
  expect(outcome.kind, `${context}: expected a throw, got ${describeOutcome(outcome)}`).toBe(
    'threw',
  );
  return expectTypedError((outcome as { error: unknown }).error, {
    ...expected,
    codes: ['invalid_config'],
  });
}

/** Asserts the call neither threw, rejected nor hung (it returned or resolved to anything). */
export function expectSettled(outcome: Outcome, input?: unknown): void {
  expect(['ok', 'err', 'value'], `for input ${show(input)}: ${describeOutcome(outcome)}`).toContain(
    outcome.kind,
  );
  if (outcome.kind === 'err') expectTypedError(outcome.error, { input });
}

// ---------------------------------------------------------------------------------------------
// Process-level failures

/**
 * Registers `unhandledRejection` and `uncaughtException` listeners for the suite and fails the
 * test during which one fired. Call once at the top of a suite.
 */
export function failOnProcessErrors(): void {
  const fired: string[] = [];
  const onRejection = (reason: unknown): void => {
    fired.push(`unhandledRejection: ${describeError(reason)}`);
  };
  const onException = (error: unknown): void => {
    fired.push(`uncaughtException: ${describeError(error)}`);
  };
  beforeAll(() => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  });
  afterEach(async () => {
    // Node reports an unhandled rejection once the microtask queue has drained.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
    const seen = fired.splice(0);
    expect(seen, 'process-level errors during the test').toEqual([]);
  });
  afterAll(() => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  });
}
