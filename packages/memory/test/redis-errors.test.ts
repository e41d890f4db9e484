import { createServer, type Server, type Socket } from 'node:net';
import { trackTimers } from '@baton/test-support';
import type { OrchestrationError } from '@baton/core';
import { HumanMessage } from '@langchain/core/messages';
import { Redis } from 'ioredis';
import type { ResultAsync } from 'neverthrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

/** A TCP server that accepts connections and never answers: a hung Redis. */
async function silentServer(): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('a Redis that accepts connections and never answers', () => {
  let hung: Awaited<ReturnType<typeof silentServer>>;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(async () => {
    hung = await silentServer();
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    await hung.stop();
  });

  it('owned connection: every operation fails within the command timeout, typed, without the password', async () => {
    const url = `redis://admin:${SECRET}@127.0.0.1:${hung.port}/0`;
    const history = await ok(
      createRedisChatHistory('s', withRedisUrl(url), withRedisCommandTimeoutMs(200)),
    );
    const store = await ok(
      createRedisCheckpointStore(withRedisUrl(url), withRedisCommandTimeoutMs(200)),
    );
    try {
      const calls: ResultAsync<unknown, OrchestrationError>[] = [
        history.addMessage(new HumanMessage('x')),
        history.getMessages(),
        history.clear(),
        store.listRuns(),
        store.loadRun('r'),
      ];
      for (const result of calls) {
        const error = await fails(result);
        expect(['timeout', 'dependency_failed']).toContain(error.code);
        expect(error.retryable).toBe(true);
        expect(error.message).toContain(`127.0.0.1:${hung.port}`);
        expectNoSecret(error);
        expectNoSecret(error.cause);
      }
      const report = await history.check();
      expect(report.status).toBe('unhealthy');
      expectNoSecret(report);
    } finally {
      await history.close();
      await store.close();
    }
    expect(unhandled).toEqual([]);
  });

  it('a given client is bounded by withRedisCommandTimeoutMs too, and its timer is cleared', async () => {
    // A client as users build it: no command timeout of its own, offline queue on.
    const client = new Redis({ host: '127.0.0.1', port: hung.port, lazyConnect: true });
    client.on('error', () => undefined);
    const history = await ok(
      createRedisChatHistory('s', withRedisClient(client), withRedisCommandTimeoutMs(200)),
    );
    const store = await ok(
      createRedisCheckpointStore(withRedisClient(client), withRedisCommandTimeoutMs(200)),
    );
    try {
      const calls: ResultAsync<unknown, OrchestrationError>[] = [
        history.getMessages(),
        history.addMessage(new HumanMessage('x')),
        store.saveNode({ runId: 'r', node: 'n', status: 'succeeded', attempts: 1, finishedAt: 1 }),
        store.listRuns(),
      ];
      for (const result of calls) {
        const error = await fails(result);
        expect(error.code).toBe('timeout');
        expect(error.retryable).toBe(true);
        expect(error.message).toContain('200 ms');
      }
    } finally {
      client.disconnect();
    }
    expect(unhandled).toEqual([]);
    // A fast answer leaves no deadline timer behind.
    const answering = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    answering.on('error', () => undefined);
    const timers = trackTimers();
    try {
      const fast = await ok(createRedisChatHistory('s', withRedisClient(answering)));
      expect((await fails(fast.getMessages())).code).toBe('dependency_failed');
      expect(timers.pending(1_000)).toBe(0);
    } finally {
      timers.restore();
      answering.disconnect();
    }
  });
});
