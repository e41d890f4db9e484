import { runnable } from '@baton/core';
import { createGraphBuilder, withGraphCheckpointer, withGraphName } from '@baton/graph';
import { createRedisCheckpointStore, withRedisClient, withRedisKeyPrefix } from '@baton/memory';
import { connectRedis, requireRedis, type TestRedis } from '@baton/test-support';
import { from } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrigger, fromObservable, withTriggerConcurrency } from '../src/index.js';

describe.runIf(await requireRedis())('a trigger with a Redis checkpoint store', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await connectRedis({ label: 'triggers' });
  });
  afterAll(() => redis.close());

  it('runs each event id once across triggers, skipping the events whose runs completed', async () => {
    const store = createRedisCheckpointStore(
      withRedisClient(redis.client),
      withRedisKeyPrefix(redis.prefix),
    )._unsafeUnwrap();
    const ran: string[] = [];
    const step = runnable('step', (id: string) => {
      ran.push(id);
      return id.toUpperCase();
    });
    const graph = createGraphBuilder()
      .node(step)
      .build(withGraphName('redis-trigger'), withGraphCheckpointer(store))
      ._unsafeUnwrap();
    const run = async (ids: string[]) => {
      const source = fromObservable(from(ids), { id: (id) => id })._unsafeUnwrap();
      const trigger = createTrigger(source, graph, withTriggerConcurrency(3))._unsafeUnwrap();
      trigger.start()._unsafeUnwrap();
      await trigger.done;
      return trigger.stats();
    };
    expect(await run(['a', 'b', 'a', 'c', 'b'])).toMatchObject({ started: 3, skipped: 2 });
    expect(await run(['c', 'd', 'a'])).toMatchObject({ started: 1, skipped: 2 });
    expect([...ran].sort()).toEqual(['a', 'b', 'c', 'd']);
    const stored = (await store.loadRun('trigger:d'))._unsafeUnwrap();
    expect(stored.run.status).toBe('succeeded');
    expect(stored.nodes.map((n) => n.output)).toEqual(['D']);
  });
});
