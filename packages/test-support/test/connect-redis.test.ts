import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, getFreePort, requireRedis } from '@baton/test-support';
import type { TestRedis } from '@baton/test-support';

describe.runIf(await requireRedis())('connectRedis', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await connectRedis({ label: 'test-support' });
  });

  afterAll(() => redis.close());

  it('round-trips a value under a key prefix of its own', async () => {
    const key = redis.key('smoke', 'value');
    expect(key.startsWith(redis.prefix)).toBe(true);
    expect(redis.prefix).toMatch(/^baton-test:test-support:[0-9a-f-]{36}:$/);
    await redis.client.set(key, 'hello');
    expect(await redis.client.get(key)).toBe('hello');
  });

  it('cleanup() deletes every key under the prefix and nothing else', async () => {
    const other = await connectRedis({ label: 'test-support' });
    try {
      await redis.client.mset(redis.key('a'), '1', redis.key('b', 'c'), '2');
      await other.client.set(other.key('keep'), '3');
      expect(await redis.cleanup()).toBeGreaterThanOrEqual(2);
      expect(await redis.client.exists(redis.key('a'), redis.key('b', 'c'))).toBe(0);
      expect(await redis.client.get(other.key('keep'))).toBe('3');
    } finally {
      await other.close();
    }
    expect(await redis.client.exists(other.key('keep'))).toBe(0);
  });
});

describe('connectRedis without a server', () => {
  it('fails fast with REDIS_UNAVAILABLE instead of retrying', async () => {
    const url = `redis://127.0.0.1:${await getFreePort()}`;
    const started = Date.now();
    await expect(connectRedis({ url })).rejects.toMatchObject({
      code: 'REDIS_UNAVAILABLE',
      message: expect.stringContaining(url),
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('times out against a peer that accepts the connection and never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolveListen) => silent.listen(0, '127.0.0.1', resolveListen));
    const { port } = silent.address() as AddressInfo;
    const started = Date.now();
    try {
      await expect(
        connectRedis({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 }),
      ).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      silent.close();
    }
  });

  it('rejects a label that is not safe inside a SCAN pattern', async () => {
    await expect(connectRedis({ label: 'a*b' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});
