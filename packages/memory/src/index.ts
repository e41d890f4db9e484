/**
 * @baton/memory — conversation memory, chat histories and checkpoint stores. Named exports only.
 */

// memories
export {
  withChatHistory,
  withInputKey,
  withMemoryKey,
  withOutputKey,
  withPrefixes,
  withReturnMessages,
} from './memory-options.js';
export type { ChatMemory, ChatMemoryConfig } from './memory-options.js';
export { createBufferMemory } from './buffer-memory.js';
export type { BufferMemoryConfig } from './buffer-memory.js';
export { createWindowMemory, withWindowSize } from './window-memory.js';
export type { WindowMemoryConfig } from './window-memory.js';
export { createTokenBufferMemory, withMaxTokens, withTokenCounter } from './token-buffer-memory.js';
export type { TokenBufferMemoryConfig } from './token-buffer-memory.js';
export { approximateTokenCount, MEDIA_PART_TOKENS } from './token-counter.js';
export type { TokenCounter } from './token-counter.js';
export { createSummaryMemory } from './summary-memory.js';
export type { SummaryMemoryConfig } from './summary-memory.js';
export { createSummaryBufferMemory } from './summary-buffer-memory.js';
export type { SummaryBufferMemoryConfig } from './summary-buffer-memory.js';
export type { Summarizer, SummaryInput } from './summarizer.js';
export {
  MEMORY_DOC_ID,
  createVectorStoreMemory,
  withExcludeInputKeys,
  withReturnDocs,
  withTopK,
} from './vector-store-memory.js';
export type { VectorStoreLike, VectorStoreMemoryConfig } from './vector-store-memory.js';

// chat histories
export { isReplaceable, replaceMessages } from './replaceable-chat-history.js';
export type { ReplaceableChatHistory } from './replaceable-chat-history.js';
export { createInMemoryChatHistory } from './in-memory-chat-history.js';
export type { InMemoryChatHistory } from './in-memory-chat-history.js';
export { createFileChatHistory } from './file-chat-history.js';
export type { FileChatHistory, FileChatHistoryConfig } from './file-chat-history.js';
export { createRedisChatHistory, withRedisTtlMs } from './redis-chat-history.js';
export type { RedisChatHistory, RedisChatHistoryConfig } from './redis-chat-history.js';
export { createPostgresChatHistory } from './postgres-chat-history.js';
export type { PostgresChatHistory, PostgresChatHistoryConfig } from './postgres-chat-history.js';

// checkpoint stores
export { withCheckpointRetention } from './checkpoint-retention.js';
export type { CheckpointRetention, RetentionConfig } from './checkpoint-retention.js';
export { createInMemoryCheckpointStore } from './in-memory-checkpoint-store.js';
export type { InMemoryCheckpointStoreConfig } from './in-memory-checkpoint-store.js';
export { createFileCheckpointStore } from './file-checkpoint-store.js';
export type { FileCheckpointStoreConfig } from './file-checkpoint-store.js';
export { createRedisCheckpointStore } from './redis-checkpoint-store.js';
export type { RedisCheckpointStore, RedisCheckpointStoreConfig } from './redis-checkpoint-store.js';
export { createPostgresCheckpointStore } from './postgres-checkpoint-store.js';
export type {
  PostgresCheckpointStore,
  PostgresCheckpointStoreConfig,
} from './postgres-checkpoint-store.js';
export { migratePostgres } from './migrate-postgres.js';

// rate limits shared across processes
export { createRedisRateLimiter } from './redis-rate-limiter.js';
export type { RedisRateLimiter, RedisRateLimiterConfig } from './redis-rate-limiter.js';

// backend options
export { withDirectory } from './file-options.js';
export type { DirectoryConfig } from './file-options.js';
export {
  withRedisClient,
  withRedisCommandTimeoutMs,
  withRedisConnectTimeoutMs,
  withRedisKeyPrefix,
  withRedisUrl,
} from './redis-options.js';
export type { RedisConfig } from './redis-options.js';
export {
  withPostgresConnectTimeoutMs,
  withPostgresMaxConnections,
  withPostgresPool,
  withPostgresQueryTimeoutMs,
  withPostgresSchema,
  withPostgresUrl,
} from './postgres-options.js';
export type { PostgresConfig } from './postgres-options.js';
