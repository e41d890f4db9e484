import type { Option } from '@baton/core';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/** Connection options shared by the Redis backends. */
export interface RedisConfig {
  /**
   * Server to connect to, `redis://[user:password@]host:port[/db]` or `rediss://...` for TLS.
   * Errors and health reports show it with the password replaced by `***`.
   * @default 'redis://127.0.0.1:6379'
   */
  readonly url: string;
  /**
   * An existing ioredis client to use instead of connecting to `url`. The backend never closes a
   * client it was given.
   * @default undefined (the backend opens and owns its own client)
   */
  readonly client: Redis | undefined;
  /** Prefix of every key the backend writes (defaults differ per backend). */
  readonly keyPrefix: string;
  /**
   * How long to wait for the TCP connection before an attempt fails.
   * @default 2000
   */
  readonly connectTimeoutMs: number;
  /**
   * How long one command may take, including waiting for a connection, before it fails with
   * `timeout`. Also bounds `check()`, and each whole operation on a client given with
   * `withRedisClient` (whose own options may have no timeout).
   * @default 5000
   */
  readonly commandTimeoutMs: number;
}

/** Sets the Redis URL (`redis://[user:password@]host:port[/db]`). */
export function withRedisUrl(url: string): Option<RedisConfig> {
  return (draft) => {
    draft.url = url;
  };
}

/** Uses an existing ioredis client (not closed by the backend's `close()`). */
export function withRedisClient(client: Redis): Option<RedisConfig> {
  return (draft) => {
    draft.client = client;
  };
}

/** Sets the prefix of every key, e.g. `myapp:chat:`. */
export function withRedisKeyPrefix(prefix: string): Option<RedisConfig> {
  return (draft) => {
    draft.keyPrefix = prefix;
  };
}

/** Sets the connect timeout in milliseconds. */
export function withRedisConnectTimeoutMs(ms: number): Option<RedisConfig> {
  return (draft) => {
    draft.connectTimeoutMs = ms;
  };
}

/** Sets the per-command timeout in milliseconds. */
export function withRedisCommandTimeoutMs(ms: number): Option<RedisConfig> {
  return (draft) => {
    draft.commandTimeoutMs = ms;
  };
}

const isClient = (value: unknown): boolean =>
  value === undefined ||
  (typeof value === 'object' &&
    value !== null &&
    typeof (value as { rpush?: unknown }).rpush === 'function' &&
    typeof (value as { multi?: unknown }).multi === 'function');

/** zod fields of {@link RedisConfig}, for the backends' schemas. */
export const redisConfigShape = {
  // The URL itself is checked apart, so an invalid one is never echoed with its password.
  url: z.string(),
  client: z.custom<Redis | undefined>(isClient, 'expected an ioredis client (new Redis(...))'),
  keyPrefix: z.string(),
  connectTimeoutMs: z.number().int().positive('expected a positive number of milliseconds'),
  commandTimeoutMs: z.number().int().positive('expected a positive number of milliseconds'),
};

/** Defaults of {@link RedisConfig} except the key prefix. */
export const REDIS_DEFAULTS: Omit<RedisConfig, 'keyPrefix'> = {
  url: 'redis://127.0.0.1:6379',
  client: undefined,
  connectTimeoutMs: 2_000,
  commandTimeoutMs: 5_000,
};
