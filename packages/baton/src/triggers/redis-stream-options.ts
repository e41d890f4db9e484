import type { Option } from '@baton/core';
import type { RedisConfig } from '@baton/memory';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** One stream entry as Redis stores it. */
export interface StreamEntry {
  /** The entry id, `<ms>-<seq>`. */
  readonly id: string;
  /** The entry's fields; a field written twice keeps its last value. */
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * Turns an entry into the event's payload. Throwing (or returning a rejected promise) marks the
 * entry as bad: it goes to the dead-letter stream with code `invalid_input`.
 */
export type StreamEntryDecoder<P> = (entry: StreamEntry) => P;

/**
 * Options of {@link redisStreamSource}. The Redis connection is set with `@baton/memory`'s
 * `withRedisUrl`, `withRedisClient`, `withRedisConnectTimeoutMs`, `withRedisCommandTimeoutMs`
 * and `withRedisKeyPrefix`.
 */
export interface RedisStreamSourceConfig<P = unknown> extends RedisConfig {
  /**
   * Prefix of the stream's and the dead-letter stream's keys.
   * @default '' (the names are the keys)
   */
  readonly keyPrefix: string;
  /**
   * This consumer's name in the group. Pending entries belong to a consumer name: a process
   * restarted with the same name takes its own pending entries back first; with a fresh name
   * they are taken over by whoever claims them after `claimIdleMs`.
   * @default `<hostname>-<pid>-<random>`, unique per source
   */
  readonly consumer: string;
  /**
   * How long one XREADGROUP blocks on the server before the source looks for idle pending
   * entries again; `pull` itself waits until an entry arrives or its signal aborts.
   * @default 5000
   */
  readonly blockMs: number;
  /**
   * Entries pending on another consumer longer than this are taken over (XAUTOCLAIM). A live
   * source keeps its entries from going idle (it re-claims them every `claimIdleMs / 3` while
   * their runs are in flight), so this bounds how long a crashed consumer's events wait. At least
   * 1000; keep it well above the longest pause of the process (GC, a blocked event loop): a
   * consumer paused longer loses its entries to another, and a node may run in both for up to
   * `claimIdleMs / 3` after it wakes.
   * @default 30000
   */
  readonly claimIdleMs: number;
  /**
   * Stream that receives dead-lettered entries.
   * @default `<stream>:dead`
   */
  readonly deadLetterStream: string | undefined;
  /**
   * An entry delivered more often than this goes to the dead-letter stream (code
   * `max_retries_exceeded`) instead of to the trigger. Every takeover (after a crash or a pause
   * past `claimIdleMs`) counts; a release (graceful stop) does not.
   * @default undefined (no limit)
   */
  readonly maxDeliveries: number | undefined;
  /**
   * Builds the payload from an entry.
   * @default the JSON in the entry's `payload` field
   */
  readonly decode: StreamEntryDecoder<P>;
}

/** The default decoder: `JSON.parse` of the `payload` field. */
export function decodeJsonPayload(entry: StreamEntry): unknown {
  const raw = entry.fields.payload;
  if (raw === undefined) {
    const names = Object.keys(entry.fields);
    throw new Error(
      `entry ${entry.id} has no 'payload' field (fields: ${names.length === 0 ? 'none' : names.join(', ')}); write the event as XADD <stream> * payload <json>, or decode it with withStreamDecode`,
    );
  }
  return JSON.parse(raw) as unknown;
}

/** A consumer name unique to this source: host, process id and random bytes. */
export function uniqueConsumerName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Names this consumer in the group (see {@link RedisStreamSourceConfig.consumer}). */
export function withStreamConsumer(name: string): Option<RedisStreamSourceConfig> {
  return (draft) => {
    draft.consumer = name;
  };
}

/** Sets how long one blocking read waits on the server, in milliseconds. */
export function withStreamBlockMs(ms: number): Option<RedisStreamSourceConfig> {
  return (draft) => {
    draft.blockMs = ms;
  };
}

/** Sets after how many idle milliseconds another consumer's pending entries are taken over. */
export function withStreamClaimIdleMs(ms: number): Option<RedisStreamSourceConfig> {
  return (draft) => {
    draft.claimIdleMs = ms;
  };
}

/** Names the dead-letter stream (default `<stream>:dead`). */
export function withStreamDeadLetter(stream: string): Option<RedisStreamSourceConfig> {
  return (draft) => {
    draft.deadLetterStream = stream;
  };
}

/** Dead-letters entries delivered more than `count` times. */
export function withStreamMaxDeliveries(count: number): Option<RedisStreamSourceConfig> {
  return (draft) => {
    draft.maxDeliveries = count;
  };
}

/** Builds each event's payload from its entry (default: JSON in the `payload` field). */
export function withStreamDecode<P>(
  decode: StreamEntryDecoder<P>,
): Option<RedisStreamSourceConfig<P>> {
  return (draft) => {
    draft.decode = decode;
  };
}

const isClient = (value: unknown): boolean =>
  value === undefined ||
  (typeof value === 'object' &&
    value !== null &&
    typeof (value as { duplicate?: unknown }).duplicate === 'function' &&
    typeof (value as { xreadgroup?: unknown }).xreadgroup === 'function');

const ms = z.number().int().positive('expected a positive number of milliseconds');
const name = z.string().min(1, 'expected a non-empty name');

/** Validates a resolved config; the URL itself is checked by the connection, without echoing it. */
export const redisStreamSourceSchema = z.object({
  url: z.string(),
  client: z.custom(isClient, 'expected an ioredis client (new Redis(...))'),
  keyPrefix: z.string(),
  connectTimeoutMs: ms,
  commandTimeoutMs: ms,
  consumer: name,
  blockMs: ms,
  claimIdleMs: ms,
  deadLetterStream: name.optional(),
  maxDeliveries: z.number().int().positive('expected a positive count').optional(),
  decode: z.custom(
    (value) => typeof value === 'function',
    'expected a function (entry) => payload',
  ),
}) as unknown as z.ZodType<RedisStreamSourceConfig>;
