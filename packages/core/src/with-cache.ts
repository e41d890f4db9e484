import { BaseRunnable, execute } from './base-runnable.js';
import { OrchestrationError, toOrchestrationError } from './errors.js';
import { createMemoryCacheStore, type CacheStore } from './cache-store.js';
import { abortError, NEVER_SIGNAL } from './abort.js';
import { readSettings, requireRunnable } from './internal/wrapper-config.js';
import { safeString } from './show-value.js';
import type { ExecutionContext, Runnable } from './runnable.js';

export interface CacheOptions<I, O> {
  /**
   * Where outputs are kept; share one (e.g. a Redis-backed store) between wrappers or processes.
   * @default a new in-memory store (createMemoryCacheStore()) for this wrapper
   */
  readonly store?: CacheStore<O>;
  /**
   * The cache key of an input.
   * @default stable JSON of the input (object keys sorted)
   */
  readonly key?: (input: I) => string;
  /**
   * Prefix of every key in the store, so wrappers can share a store.
   * @default the runnable's name
   */
  readonly namespace?: string;
  /**
   * How long an output stays cached, in milliseconds.
   * @default no expiry
   */
  readonly ttlMs?: number;
}

/** Marks values JSON cannot hold, so they do not share a key with `null` or `{}`. */
const TAG = '\u0000baton:';

/**
 * JSON with object keys sorted, so `{a, b}` and `{b, a}` have the same key. Maps, Sets, Dates,
 * non-finite numbers and `undefined` in arrays are tagged (plain JSON would turn every Map into
 * `{}`, NaN and `undefined` into `null` and a Date into its ISO string). Functions and symbols
 * cannot be keyed: they throw, and withCache reports `invalid_input` asking for a `key` function.
 */
export function stableKey(value: unknown): string {
  const json = JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    // A Date's own toJSON already made `v` its ISO string; another object's toJSON may return one.
    const original: unknown = (this as Record<string, unknown>)[key];
    const date = original instanceof Date ? original : v instanceof Date ? v : undefined;
    if (date !== undefined) {
      return `${TAG}Date:${Number.isNaN(date.getTime()) ? 'invalid' : date.toISOString()}`;
    }
    if (v === undefined && Array.isArray(this)) return `${TAG}undefined`;
    if (typeof v === 'function' || typeof v === 'symbol') {
      throw new TypeError(`a ${typeof v} (at "${key}") has no stable cache key`);
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return `${TAG}number:${String(v)}`;
    if (v instanceof Map) return [`${TAG}Map`, [...v.entries()]];
    if (v instanceof Set) return [`${TAG}Set`, [...v]];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  }) as string | undefined;
  return json ?? 'undefined';
}

/** One execution shared by every concurrent call with the same key. */
interface Flight<O> {
  readonly promise: Promise<O>;
  readonly controller: AbortController;
  waiters: number;
  settled: boolean;
}

function ignore(): void {
  // a failing store write only costs a future miss
}

class Cached<I, O> extends BaseRunnable<I, O> {
  readonly name: string;
  readonly #flights = new Map<string, Flight<O>>();
  readonly #store: CacheStore<O>;
  readonly #key: (input: I) => string;
  readonly #namespace: string;
  readonly #ttlMs: number | undefined;

  constructor(
    private readonly inner: Runnable<I, O>,
    options: CacheOptions<I, O>,
  ) {
    super();
    this.name = inner.name;
    this.#store = options.store ?? createMemoryCacheStore<O>();
    this.#key = options.key ?? stableKey;
    this.#namespace = options.namespace ?? inner.name;
    this.#ttlMs = options.ttlMs;
  }

  override async run(input: I, ctx: ExecutionContext): Promise<O> {
    const key = this.#keyOf(input);
    let flight = this.#flights.get(key);
    if (flight === undefined) {
      const hit = await this.#lookup(key);
      if (hit !== undefined) return hit;
      flight = this.#flights.get(key) ?? this.#start(key, input, ctx);
    }
    return this.#join(flight, ctx.signal);
  }

  #keyOf(input: I): string {
    try {
      const key = this.#key(input);
      if (typeof key !== 'string') throw new TypeError(`the key function returned ${typeof key}`);
      return `${this.#namespace}:${key}`;
    } catch (cause) {
      throw new OrchestrationError(
        'invalid_input',
        `${this.name}: cannot compute the cache key of the input (${safeString(cause)}); ` +
          'pass withCache(runnable, { key: (input) => string })',
        { op: this.name, cause },
      );
    }
  }

  /** A store that fails to read counts as a miss: the cache is an optimization. */
  async #lookup(key: string): Promise<O | undefined> {
    try {
      return await this.#store.get(key);
    } catch {
      return undefined;
    }
  }

  #start(key: string, input: I, ctx: ExecutionContext): Flight<O> {
    const controller = new AbortController();
    const promise = execute(this.inner, input, { ...ctx, signal: controller.signal });
    const flight: Flight<O> = { promise, controller, waiters: 0, settled: false };
    this.#flights.set(key, flight);
    promise.then(
      (output) => {
        flight.settled = true;
        const written = (async () => this.#store.set(key, output, this.#ttlMs))();
        written.catch(ignore).finally(() => this.#forget(key, flight));
      },
      () => {
        flight.settled = true;
        this.#forget(key, flight);
      },
    );
    return flight;
  }

  #forget(key: string, flight: Flight<O>): void {
    if (this.#flights.get(key) === flight) this.#flights.delete(key);
  }

  /** Waits for `flight`; the last waiter to abort aborts the shared execution. */
  #join(flight: Flight<O>, signal: AbortSignal): Promise<O> {
    if (signal === NEVER_SIGNAL) {
      flight.waiters += 1;
      return flight.promise;
    }
    if (signal.aborted) return Promise.reject(abortError(signal, this.name));
    flight.waiters += 1;
    return new Promise<O>((resolve, reject) => {
      const onAbort = (): void => {
        const reason = abortError(signal, this.name);
        flight.waiters -= 1;
        if (flight.waiters === 0 && !flight.settled) flight.controller.abort(reason);
        reject(reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (output) => {
          signal.removeEventListener('abort', onAbort);
          resolve(output);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(toOrchestrationError(error, this.name));
        },
      );
    });
  }
}

function validate<I, O>(options: CacheOptions<I, O>): void {
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new OrchestrationError('invalid_config', `withCache: ${field} must be ${expected}`, {
      op: 'withCache',
      details: { field, value },
    });
  };
  const { store, key, namespace, ttlMs } = options;
  if (store !== undefined) {
    if (typeof store !== 'object' || store === null) {
      fail('store', 'a CacheStore (an object with get, set and delete methods)', store);
    }
    const s = store as unknown as Record<string, unknown>;
    for (const method of ['get', 'set', 'delete'] as const) {
      let fn: unknown;
      try {
        fn = s[method];
      } catch {
        fail(`store.${method}`, 'a readable function', undefined);
      }
      if (typeof fn !== 'function') fail(`store.${method}`, 'a function', fn);
    }
  }
  if (key !== undefined && typeof key !== 'function')
    fail('key', 'a function (input) => string', key);
  if (namespace !== undefined && typeof namespace !== 'string')
    fail('namespace', 'a string', namespace);
  if (ttlMs !== undefined && !(typeof ttlMs === 'number' && ttlMs > 0 && ttlMs !== Infinity)) {
    fail('ttlMs', 'a positive finite number of milliseconds', ttlMs);
  }
}

/**
 * Caches the outputs of `runnable` by input. Concurrent calls with the same key share one
 * execution (the last caller to abort cancels it); errors are never cached; outputs that are
 * `undefined` are not cached either (a store returns `undefined` for a miss). Invalid options
 * throw `invalid_config` naming the field.
 *
 * @example
 * const cachedEmbed = withCache(embed, { ttlMs: 10 * 60_000 });
 */
export function withCache<I, O>(
  runnable: Runnable<I, O>,
  options: CacheOptions<I, O> = {},
): Runnable<I, O> {
  requireRunnable(runnable, 'withCache', 'runnable');
  const settings = readSettings(options, 'withCache', 'options');
  validate(settings);
  return new Cached(runnable, settings);
}
