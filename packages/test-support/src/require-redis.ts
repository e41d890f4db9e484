import { DEFAULT_REDIS_URL, isRedisReachable } from './connect-redis.js';
import type { TestRedisConfig } from './connect-redis.js';
import { requireServer } from './require-server.js';
import type { RequireServerConfig } from './require-server.js';

/** What to do when no Redis answers. */
export const ENABLE_REDIS_HINT =
  'start one (`redis-server --port 6379 --save "" --appendonly no`) or point REDIS_URL at one.';

/**
 * {@link requireServer} for Redis: pings `REDIS_URL` (default `redis://127.0.0.1:6379`) once, with
 * a short timeout. Use it with top-level `await` in the test file.
 *
 * @example
 * ```ts
 * describe.runIf(await requireRedis())('RedisChatHistory', () => {
 *   let redis: TestRedis;
 *   beforeAll(async () => { redis = await connectRedis({ label: 'chat-history' }); });
 *   afterAll(() => redis.close());
 * });
 * ```
 */
export async function requireRedis(
  config: RequireServerConfig & TestRedisConfig = {},
): Promise<boolean> {
  const url = config.url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  return requireServer(
    `Redis at ${url}`,
    await isRedisReachable(config),
    ENABLE_REDIS_HINT,
    config,
  );
}
