import { connectRedis, requireRedis, type TestRedis } from '@baton/test-support';
import { HumanMessage } from '@langchain/core/messages';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisChatHistory, withRedisTtlMs } from '../src/redis-chat-history.js';
import { createRedisCheckpointStore } from '../src/redis-checkpoint-store.js';
import { withRedisClient, withRedisKeyPrefix, withRedisUrl } from '../src/redis-options.js';
import { describeChatHistoryContract } from './chat-history-contract.js';
import { describeCheckpointStoreContract } from './checkpoint-store-contract.js';
import { fails, ok } from './helpers.js';

// Skips with a message when no Redis answers at REDIS_URL; under CI=true that throws instead.
const hasRedis = await requireRedis();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function deleteByPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

describe.runIf(hasRedis)('Redis backends', () => {
  let redis: TestRedis;
  let prefix = '';
  let testNumber = 0;
  beforeAll(async () => {
    redis = await connectRedis({ label: 'memory' });
  });
  // Every test gets its own key prefix, deleted after it.
  beforeEach(() => {
    prefix = redis.key(`t${++testNumber}`, '');
  });
  afterEach(async () => {
    await deleteByPrefix(redis.client, prefix);
  });
  afterAll(async () => {
    await redis.close();
  });

  const history = (id: string, ...extra: Parameters<typeof createRedisChatHistory>[1][]) =>
    ok(
      createRedisChatHistory(
        id,
        withRedisClient(redis.client),
        withRedisKeyPrefix(prefix),
        ...extra,
      ),
    );

  describeChatHistoryContract('redis', (id) => history(id), { persistent: true });
  describeCheckpointStoreContract(
    'redis',
    (...options) =>
      ok(
        createRedisCheckpointStore(
          withRedisClient(redis.client),
          withRedisKeyPrefix(prefix),
          ...options,
        ),
      ),
    { persistent: true, propertyRuns: 15 },
  );

  it('keeps one list per session under the key prefix', async () => {
    const h = await history('user-1');
    await ok(h.addMessages([new HumanMessage('a'), new HumanMessage('b')]));
    expect(h.key).toBe(`${prefix}user-1`);
    expect(await redis.client.llen(h.key)).toBe(2);
  });

  it('sets the TTL on write and refreshes it on every later write', async () => {
    const h = await history('ttl', withRedisTtlMs(60_000));
    await ok(h.addMessage(new HumanMessage('a')));
    const first = await redis.client.pttl(h.key);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(60_000);
    await redis.client.pexpire(h.key, 5_000);
    await ok(h.addMessage(new HumanMessage('b')));
    expect(await redis.client.pttl(h.key)).toBeGreaterThan(5_000);
    await redis.client.pexpire(h.key, 5_000);
    await ok(h.replaceMessages([new HumanMessage('c')]));
    expect(await redis.client.pttl(h.key)).toBeGreaterThan(5_000);
  });

  it('without a TTL the list never expires', async () => {
    const h = await history('no-ttl');
    await ok(h.addMessage(new HumanMessage('a')));
    expect(await redis.client.pttl(h.key)).toBe(-1);
  });

  it('fails with invalid_state naming the key and index for a corrupt element', async () => {
    const h = await history('corrupt');
    await ok(h.addMessage(new HumanMessage('fine')));
    await redis.client.rpush(h.key, 'not json');
    const error = await fails(h.getMessages());
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain(h.key);
    expect(error.message).toContain('index 1');
  });

  it('opens and closes its own connection from a URL', async () => {
    const h = await ok(
      createRedisChatHistory('owned', withRedisUrl(REDIS_URL), withRedisKeyPrefix(prefix)),
    );
    await ok(h.addMessage(new HumanMessage('x')));
    expect((await h.check()).status).toBe('healthy');
    await h.close();
    await h.close(); // idempotent
    expect(await redis.client.llen(`${prefix}owned`)).toBe(1);
  });

  it('maps refused credentials to invalid_config without showing the password', async () => {
    const url = new URL(REDIS_URL);
    url.username = 'baton-no-such-user';
    url.password = 'hunter2-very-secret';
    const h = await ok(
      createRedisChatHistory('auth', withRedisUrl(url.toString()), withRedisKeyPrefix(prefix)),
    );
    try {
      const error = await fails(h.addMessage(new HumanMessage('x')));
      expect(error.code).toBe('invalid_config');
      expect(error.message).toContain('baton-no-such-user:***@');
      expect(JSON.stringify(error.toJSON())).not.toContain('hunter2-very-secret');
      expect(JSON.stringify(await h.check())).not.toContain('hunter2-very-secret');
    } finally {
      await h.close();
    }
  });

  it('two history objects appending to one session keep every message, each call in order', async () => {
    const a = await history('shared');
    const b = await history('shared');
    const writes = [];
    for (let i = 0; i < 40; i++) {
      const h = i % 2 === 0 ? a : b;
      writes.push(h.addMessages([new HumanMessage(`q${i}`), new HumanMessage(`a${i}`)]));
    }
    for (const result of await Promise.all(writes)) expect(result.isOk()).toBe(true);
    const expected = Array.from({ length: 40 }, (_, i) => [`q${i}`, `a${i}`]).flat();
    expect((await ok(b.getMessages())).map((m) => m.text)).toEqual(expected);
  });

  it.each([
    ['colons', 'tenant:42:user:7'],
    ['spaces', 'a session id'],
    ['unicode', '用户 ü 👋'],
    ['a very long id', 'x'.repeat(20_000)],
  ])('keeps a session id with %s as its own key', async (_what, id) => {
    const h = await history(id);
    const other = await history(`${id}:other`);
    await ok(h.addMessage(new HumanMessage('mine')));
    await ok(other.addMessage(new HumanMessage('theirs')));
    expect(h.key).toBe(`${prefix}${id}`);
    expect((await ok((await history(id)).getMessages())).map((m) => m.text)).toEqual(['mine']);
  });

  it('stores and reads back a 1 MB message', async () => {
    const h = await history('big', withRedisTtlMs(60_000));
    const text = 'é'.repeat(512 * 1024);
    await ok(h.addMessages([new HumanMessage(text), new HumanMessage('after')]));
    const messages = await ok(h.getMessages());
    expect(messages.map((m) => m.text.length)).toEqual([text.length, 5]);
    expect(messages[0]?.text).toBe(text);
  });

  it('clear() deletes the key, TTL included, and the session stays usable', async () => {
    const h = await history('cleared', withRedisTtlMs(60_000));
    await ok(h.addMessage(new HumanMessage('a')));
    await ok(h.clear());
    expect(await redis.client.exists(h.key)).toBe(0);
    expect(await ok(h.getMessages())).toEqual([]);
    await ok(h.addMessage(new HumanMessage('b')));
    expect(await redis.client.pttl(h.key)).toBeGreaterThan(0);
  });

  it('checkpoint run ids with colons, spaces, unicode or great length stay apart', async () => {
    const store = await ok(
      createRedisCheckpointStore(withRedisClient(redis.client), withRedisKeyPrefix(prefix)),
    );
    const ids = ['a:b', 'a', 'runs', 'with space', '运行 ü', 'r'.repeat(10_000)];
    for (const [i, runId] of ids.entries()) {
      await ok(
        store.saveRun({
          runId,
          graph: 'g',
          status: 'running',
          input: null,
          startedAt: i,
          updatedAt: i,
        }),
      );
      await ok(
        store.saveNode({
          runId,
          node: `n:${i} ü`,
          status: 'succeeded',
          attempts: 1,
          finishedAt: i,
        }),
      );
    }
    for (const [i, runId] of ids.entries()) {
      const { run, nodes } = await ok(store.loadRun(runId));
      expect(run.runId).toBe(runId);
      expect(nodes.map((n) => n.node)).toEqual([`n:${i} ü`]);
    }
    expect((await ok(store.listRuns())).runs.map((r) => r.runId)).toEqual([...ids].reverse());
  });

  it('writes a node as one HSET of its own field, never rewriting the run or other nodes', async () => {
    const store = await ok(
      createRedisCheckpointStore(withRedisClient(redis.client), withRedisKeyPrefix(prefix)),
    );
    const big = 'x'.repeat(100_000);
    await ok(
      store.saveRun({
        runId: 'r',
        graph: 'g',
        status: 'running',
        input: big,
        startedAt: 1,
        updatedAt: 1,
      }),
    );
    const node = (name: string) => ({
      runId: 'r',
      node: name,
      status: 'succeeded' as const,
      output: big,
      attempts: 1,
      finishedAt: 2,
    });
    await ok(store.saveNode(node('a')));
    const monitor = await redis.client.duplicate().monitor();
    const commands: string[][] = [];
    let sawMarker!: () => void;
    const marker = new Promise<void>((resolve) => (sawMarker = resolve));
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0] === 'echo' && args[1] === `${prefix}end`) sawMarker();
      else if (args.some((a) => a.startsWith(prefix))) commands.push(args.slice(0, 3));
    });
    await ok(store.saveNode(node('b')));
    // MONITOR reports commands in the order the server ran them: once the marker shows up,
    // every command of saveNode has been seen.
    await redis.client.echo(`${prefix}end`);
    await marker;
    monitor.disconnect();
    expect(commands).toEqual([['hset', `${prefix}nodes:r`, 'b']]);
    const { nodes } = await ok(store.loadRun('r'));
    expect(nodes.map((n) => n.node).sort()).toEqual(['a', 'b']);
  });
});
