/**
 * @baton/memory/authoring — what other Baton packages that talk to Redis need and users do not:
 * one way to open a client, bound its commands and map its failures to OrchestrationErrors with
 * the password redacted. The triggers' Redis Streams source (package `baton`) builds on it.
 */
export { openRedis } from './internal/redis-connection.js';
export type { RedisConnection } from './internal/redis-connection.js';
export { REDIS_DEFAULTS, redisConfigShape } from './redis-options.js';
