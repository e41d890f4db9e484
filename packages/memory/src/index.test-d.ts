import { expectTypeOf, test } from 'vitest';
import {
  createBufferMemory,
  createRedisChatHistory,
  createTokenBufferMemory,
  createVectorStoreMemory,
  withInputKey,
  withMaxTokens,
  withMemoryKey,
  withRedisTtlMs,
  withRedisUrl,
  withReturnMessages,
  type ChatMemory,
} from './index.js';

test('options apply to every memory whose config has the field, and to no other', () => {
  expectTypeOf(
    createBufferMemory(withMemoryKey('h'), withInputKey('q'), withReturnMessages()),
  ).toEqualTypeOf<ReturnType<typeof createBufferMemory>>();
  expectTypeOf(createTokenBufferMemory(withMaxTokens(10), withMemoryKey('h')).isOk()).toBeBoolean();
  expectTypeOf(
    createRedisChatHistory('s', withRedisUrl('redis://x'), withRedisTtlMs(1)).isOk(),
  ).toBeBoolean();
  // @ts-expect-error -- a buffer memory has no token budget
  createBufferMemory(withMaxTokens(10));
  // @ts-expect-error -- a buffer memory is not a Redis client
  createBufferMemory(withRedisUrl('redis://x'));
  // @ts-expect-error -- the vector store is required
  createVectorStoreMemory();
});

test('memories are ChatMemory with their history', () => {
  const result = createBufferMemory();
  if (result.isOk()) expectTypeOf(result.value).toEqualTypeOf<ChatMemory>();
});
