export { connectRedis, DEFAULT_REDIS_URL, isRedisReachable } from './connect-redis.js';
export type { TestRedis, TestRedisConfig } from './connect-redis.js';
export { findTemporalBinary } from './find-temporal-binary.js';
export { getFreePort } from './free-port.js';
export { ENABLE_REDIS_HINT, requireRedis } from './require-redis.js';
export {
  DEFAULT_POSTGRES_URL,
  dropPostgresSchema,
  ENABLE_POSTGRES_HINT,
  isPostgresReachable,
  requirePostgres,
  testPostgresSchema,
  testPostgresUrl,
} from './require-postgres.js';
export type { TestPostgresConfig } from './require-postgres.js';
export { isCi, requireServer } from './require-server.js';
export type { RequireServerConfig } from './require-server.js';
export { ENABLE_TEMPORAL_HINT, requireTemporal } from './require-temporal.js';
export { startTemporalDevServer } from './temporal-dev-server.js';
export type {
  TemporalDevServer,
  TemporalDevServerConfig,
  TemporalSearchAttributeType,
} from './temporal-dev-server.js';
export { TestSupportError } from './test-support-error.js';
export type { TestSupportErrorCode } from './test-support-error.js';
export { createOtelTestKit } from './otel-test-kit.js';
export type { OtelTestKit } from './otel-test-kit.js';
export { trackTimers } from './track-timers.js';
export type { TimerTracker } from './track-timers.js';
