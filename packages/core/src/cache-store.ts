import { OrchestrationError } from './errors.js';
import { showValue } from './show-value.js';
import { readSettings } from './internal/wrapper-config.js';

/**
 * Where `withCache` keeps outputs. Implementations may be synchronous or asynchronous (Redis,
 * a file); `undefined` from `get` means a miss.
 */
export interface CacheStore<V = unknown> {
  get(key: string): V | undefined | Promise<V | undefined>;
  /** Stores `value`; it expires after `ttlMs` when given (no expiry otherwise). */
  set(key: string, value: V, ttlMs?: number): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

export interface MemoryCacheStoreOptions {
  /**
   * Entries kept at most; inserting beyond it evicts the least recently used entry.
   * @default 1000
   */
  readonly maxEntries?: number;
  /**
   * The clock, in milliseconds (inject one for deterministic tests).
   * @default Date.now
   */
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/** An in-memory CacheStore with per-entry TTL and a size bound, plus `size` and `clear`. */
export interface MemoryCacheStore<V = unknown> extends CacheStore<V> {
  get(key: string): V | undefined;
  set(key: string, value: V, ttlMs?: number): void;
  delete(key: string): void;
  /** Entries currently held, including expired ones not yet looked up. */
  readonly size: number;
  clear(): void;
}

/**
 * Creates an in-memory CacheStore: entries expire after their TTL (checked on read) and the
 * least recently used entry goes when `maxEntries` is reached.
 *
 * @example
 * const store = createMemoryCacheStore({ maxEntries: 500 });
 * const cached = withCache(embed, { store, ttlMs: 60_000 });
 */
export function createMemoryCacheStore<V = unknown>(
  options: MemoryCacheStoreOptions = {},
): MemoryCacheStore<V> {
  const settings = readSettings(options, 'createMemoryCacheStore', 'options');
  const maxEntries = settings.maxEntries ?? 1000;
  const now = settings.now ?? Date.now;
  if (!(Number.isInteger(maxEntries) && maxEntries > 0)) {
    throw new OrchestrationError(
      'invalid_config',
      `createMemoryCacheStore: maxEntries must be a positive integer, got ${showValue(maxEntries)}`,
      { op: 'createMemoryCacheStore', details: { field: 'maxEntries', value: maxEntries } },
    );
  }
  if (typeof now !== 'function') {
    throw new OrchestrationError(
      'invalid_config',
      'createMemoryCacheStore: now must be a function () => number',
      {
        op: 'createMemoryCacheStore',
        details: { field: 'now' },
      },
    );
  }
  // A Map iterates in insertion order: re-inserting on read keeps the oldest-used entry first.
  const entries = new Map<string, Entry<V>>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= now()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, ttlMs) {
      const expiresAt = ttlMs === undefined ? Infinity : now() + ttlMs;
      entries.delete(key);
      entries.set(key, { value, expiresAt });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}
