import { HumanMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { createRedisChatHistory, withRedisTtlMs } from '../src/redis-chat-history.js';
import { createRedisCheckpointStore } from '../src/redis-checkpoint-store.js';
import {
  withRedisClient,
  withRedisCommandTimeoutMs,
  withRedisConnectTimeoutMs,
  withRedisUrl,
} from '../src/redis-options.js';
import { fails, ok } from './helpers.js';

// Nothing listens on port 1: these tests need no Redis.
const SECRET = 'p4ss-w0rd-never-shown';
const UNREACHABLE = `redis://admin:${SECRET}@127.0.0.1:1/0`;

function expectNoSecret(value: unknown): void {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Error ? { message: v.message, stack: v.stack } : v,
  );
  expect(text).not.toContain(SECRET);
}

describe('unreachable Redis', () => {
  it('chat history calls fail quickly with dependency_failed naming the URL, not the password', async () => {
    const history = await ok(createRedisChatHistory('s', withRedisUrl(UNREACHABLE)));
    try {
      const started = Date.now();
      const error = await fails(history.addMessage(new HumanMessage('x')));
      expect(Date.now() - started).toBeLessThan(10_000); // fails fast, not after endless retries
      expect(error.code).toBe('dependency_failed');
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('redis://admin:***@127.0.0.1:1');
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.message).not.toContain(SECRET);
      expectNoSecret(error.toJSON());
      expectNoSecret(error.cause);
      expect((await fails(history.getMessages())).code).toBe('dependency_failed');
      const report = await history.check();
      expect(report.status).toBe('unhealthy');
      expect(report.details['url']).toBe('redis://admin:***@127.0.0.1:1/0');
      expectNoSecret(report);
    } finally {
      await history.close();
    }
  });

  it('checkpoint store calls fail with dependency_failed and check() is unhealthy', async () => {
    const store = await ok(createRedisCheckpointStore(withRedisUrl(UNREACHABLE)));
    try {
      const error = await fails(store.listRuns());
      expect(error.code).toBe('dependency_failed');
      expectNoSecret(error);
      expect(error.message).toContain('127.0.0.1:1');
      const report = await store.check();
      expect(report.status).toBe('unhealthy');
      expectNoSecret(report);
    } finally {
      await store.close();
    }
  });
});

describe('invalid Redis options', () => {
  it.each([
    ['a URL of another scheme', withRedisUrl('http://127.0.0.1:6379'), 'url'],
    ['a URL without a host', withRedisUrl(`redis://u:${SECRET}@`), 'url'],
    ['a negative command timeout', withRedisCommandTimeoutMs(-1), 'commandTimeoutMs'],
    ['a zero connect timeout', withRedisConnectTimeoutMs(0), 'connectTimeoutMs'],
    ['a client that is not one', withRedisClient({} as never), 'client'],
    ['a zero TTL', withRedisTtlMs(0), 'ttlMs'],
  ])('rejects %s with invalid_config naming %s', async (_what, option, field) => {
    const error = await fails(createRedisChatHistory('s', option));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain(field);
    expectNoSecret(error);
  });

  it('rejects an empty session id', async () => {
    const error = await fails(createRedisChatHistory(''));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('sessionId');
  });

  it('the checkpoint store validates its options too', async () => {
    const error = await fails(createRedisCheckpointStore(withRedisUrl('nonsense')));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('url');
  });
});
