import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { TestSupportError } from './test-support-error.js';

/** The Redis the tests use when `REDIS_URL` is not set. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Options for {@link connectRedis} and {@link isRedisReachable}. */
export interface TestRedisConfig {
  /**
   * Server to connect to. Nothing is started: the server must already run.
   * @default process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
   */
  readonly url?: string;
  /**
   * Names the suite inside the key prefix, to make leftovers easy to trace. Letters, digits,
   * `-` and `_` only, since the prefix is also a SCAN pattern.
   * @default 'test'
   */
  readonly label?: string;
  /**
   * How long to wait for the server to answer before giving up. There is no retry.
   * @default 2000
   */
  readonly connectTimeoutMs?: number;
}

/** A connected client plus a key namespace of its own. */
export interface TestRedis {
  readonly client: Redis;
  /** `baton-test:<label>:<uuid>:`, unique to this connection. */
  readonly prefix: string;
  /** Joins `parts` with `:` under {@link TestRedis.prefix}. */
  key(...parts: readonly string[]): string;
  /** Deletes every key under the prefix; resolves to how many it deleted. */
  cleanup(): Promise<number>;
  /** Runs {@link TestRedis.cleanup}, then closes the connection. */
  close(): Promise<void>;
}

const labelPattern = /^[A-Za-z0-9_-]+$/;

function resolveConfig(config: TestRedisConfig) {
  const label = config.label ?? 'test';
  if (!labelPattern.test(label)) {
    throw new TestSupportError(
      'INVALID_OPTION',
      `label must match ${labelPattern.source}, got ${JSON.stringify(label)}`,
    );
  }
  const connectTimeoutMs = config.connectTimeoutMs ?? 2_000;
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new TestSupportError(
      'INVALID_OPTION',
      `connectTimeoutMs must be a positive number, got ${String(connectTimeoutMs)}`,
    );
  }
  return { url: config.url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL, label, connectTimeoutMs };
}

/** Opens a connection that fails fast: one attempt, no reconnects, no offline queue. */
async function openClient(url: string, connectTimeoutMs: number): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  // Without a listener ioredis prints "Unhandled error event" for the failure we report below.
  let lastError: unknown;
  const onError = (error: unknown): void => {
    lastError = error;
  };
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    // connectTimeout covers the TCP handshake only; a peer that accepts and then stays silent
    // would hold the ready check forever, so the whole connect gets the same budget.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no answer within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
    });
    await Promise.race([client.connect(), timedOut]);
    return client;
  } catch (error) {
    client.disconnect();
    throw new TestSupportError(
      'REDIS_UNAVAILABLE',
      `cannot reach Redis at ${url}: ${String(lastError ?? error)}`,
      { cause: lastError ?? error },
    );
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
}

async function deleteByPrefix(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/**
 * Connects to the Redis at `REDIS_URL` (default `redis://127.0.0.1:6379`) without starting one, and
 * hands out a key prefix unique to this call. Rejects with `REDIS_UNAVAILABLE` within
 * `connectTimeoutMs` when nothing answers.
 *
 * @example
 * ```ts
 * const redis = await connectRedis({ label: 'memory' });
 * await redis.client.set(redis.key('thread', '1'), 'x');
 * await redis.close(); // deletes baton-test:memory:<uuid>:* and disconnects
 * ```
 */
export async function connectRedis(config: TestRedisConfig = {}): Promise<TestRedis> {
  const { url, label, connectTimeoutMs } = resolveConfig(config);
  const client = await openClient(url, connectTimeoutMs);
  const prefix = `baton-test:${label}:${randomUUID()}:`;
  const cleanup = (): Promise<number> => deleteByPrefix(client, prefix);
  return {
    client,
    prefix,
    key: (...parts) => `${prefix}${parts.join(':')}`,
    cleanup,
    close: async () => {
      try {
        await cleanup();
      } finally {
        await client.quit().catch(() => client.disconnect());
      }
    },
  };
}

/**
 * Whether a Redis answers `PING` at the configured URL. Resolves `false` rather than rejecting
 * when it does not; rejects only for an invalid option.
 *
 * @example
 * ```ts
 * const hasRedis = await isRedisReachable();
 * ```
 */
export async function isRedisReachable(config: TestRedisConfig = {}): Promise<boolean> {
  const { url, connectTimeoutMs } = resolveConfig(config);
  try {
    const client = await openClient(url, connectTimeoutMs);
    try {
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  } catch {
    return false;
  }
}
