/**
 * Trigger throughput: events per second from a source through `createTrigger` to a one-node
 * graph (x => x + 1), concurrency 16. Sources: an rxjs Observable (in process) and a Redis
 * stream (consumer group, one consumer; the stream is filled before the clock starts, so this is
 * the consume side: XAUTOCLAIM + XREADGROUP per pull, XACK per event). Checkpoint stores: in
 * memory, and Redis (every run and node record a Redis write). Redis cases run when Redis
 * answers at REDIS_URL (default redis://127.0.0.1:6379).
 */
import { runnable, type CheckpointStore } from '@baton/core';
import { createGraphBuilder, withGraphCheckpointer, withGraphName } from '@baton/graph';
import {
  createInMemoryCheckpointStore,
  createRedisCheckpointStore,
  withRedisKeyPrefix,
  withRedisUrl,
} from '@baton/memory';
import {
  createTrigger,
  fromObservable,
  redisStreamSource,
  withStreamBlockMs,
  withTriggerConcurrency,
  withTriggerName,
  type TriggerSource,
} from 'baton';
import { Redis } from 'ioredis';
import { range } from 'rxjs';
import { map } from 'rxjs/operators';

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONCURRENCY = 16;
const prefix = `baton-bench:trigger:${process.pid}:`;

function graphOn(store: CheckpointStore) {
  const inc = runnable('inc', (x: { n: number }) => x.n + 1);
  return createGraphBuilder()
    .node(inc)
    .build(withGraphName('bench'), withGraphCheckpointer(store))
    ._unsafeUnwrap();
}

/** Runs `events` events from `source` and returns events per second. */
async function measure(source: TriggerSource, store: CheckpointStore, events: number) {
  const trigger = createTrigger(
    source,
    graphOn(store),
    withTriggerName(`t${Math.random().toString(36).slice(2, 8)}`),
    withTriggerConcurrency(CONCURRENCY),
  )._unsafeUnwrap();
  let completed = 0;
  let failed = 0;
  const all = new Promise<void>((resolve, reject) => {
    void trigger.done.then(() =>
      completed === events
        ? resolve()
        : reject(
            new Error(`ended after ${completed} of ${events}: ${JSON.stringify(trigger.stats())}`),
          ),
    );
    trigger.events$.subscribe((a) => {
      if (a.type === 'completed') completed += 1;
      if (a.type === 'failed' || a.type === 'source-error') failed += 1;
      if (completed === events) resolve();
    });
  });
  const started = performance.now();
  trigger.start()._unsafeUnwrap();
  await all;
  const seconds = (performance.now() - started) / 1e3;
  await trigger.stop();
  if (failed > 0) throw new Error(`${failed} runs failed or source errors`);
  return events / seconds;
}

const observable = (events: number) =>
  fromObservable(range(0, events).pipe(map((n) => ({ n }))), {
    id: (v) => `e${v.n}`,
    bufferLimit: events,
  })._unsafeUnwrap();

async function stream(redis: Redis, name: string, events: number) {
  const key = `${prefix}${name}`;
  for (let from = 0; from < events; from += 500) {
    const batch = redis.pipeline();
    for (let n = from; n < Math.min(events, from + 500); n += 1) {
      batch.xadd(key, '*', 'payload', JSON.stringify({ n }));
    }
    await batch.exec();
  }
  return redisStreamSource(
    name,
    'bench',
    withRedisUrl(URL),
    withRedisKeyPrefix(prefix),
    withStreamBlockMs(1_000),
  )._unsafeUnwrap();
}

/** The source alone: pull up to CONCURRENCY, ack them all, again, until `events` are acked. */
async function sourceOnly(source: TriggerSource, events: number): Promise<number> {
  const signal = new AbortController().signal;
  const started = performance.now();
  for (let done = 0; done < events;) {
    const pulled = (await source.pull(CONCURRENCY, signal))._unsafeUnwrap();
    await Promise.all(pulled.map(async (d) => (await d.ack())._unsafeUnwrap()));
    done += pulled.length;
  }
  const rate = events / ((performance.now() - started) / 1e3);
  await source.close();
  return rate;
}

async function redisReachable(redis: Redis): Promise<boolean> {
  try {
    await redis.ping();
    return true;
  } catch (error) {
    console.log(`Redis cases skipped: ${String(error)}`);
    return false;
  }
}

async function main(): Promise<void> {
  const rows: { case: string; events: number; 'events/s': string }[] = [];
  const memory = () => createInMemoryCheckpointStore()._unsafeUnwrap();
  const row = (name: string, events: number, rate: number) =>
    rows.push({ case: name, events, 'events/s': rate.toFixed(0) });

  await measure(observable(500), memory(), 500); // warm-up
  row(
    'Observable -> graph, in-memory store',
    5_000,
    await measure(observable(5_000), memory(), 5_000),
  );

  const redis = new Redis(URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  if (await redisReachable(redis)) {
    const redisStore = (name: string) =>
      createRedisCheckpointStore(
        withRedisUrl(URL),
        withRedisKeyPrefix(`${prefix}${name}:cp:`),
      )._unsafeUnwrap();
    const cp1 = redisStore('o');
    row('Observable -> graph, Redis store', 2_000, await measure(observable(2_000), cp1, 2_000));
    await cp1.close();
    await measure(await stream(redis, 'warm', 300), memory(), 300);
    row(
      'Redis stream -> graph, in-memory store',
      3_000,
      await measure(await stream(redis, 's1', 3_000), memory(), 3_000),
    );
    row(
      'Redis stream pull + ack, no trigger',
      5_000,
      await sourceOnly(await stream(redis, 's0', 5_000), 5_000),
    );
    const cp2 = redisStore('s');
    row(
      'Redis stream -> graph, Redis store',
      2_000,
      await measure(await stream(redis, 's2', 2_000), cp2, 2_000),
    );
    await cp2.close();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  }
  await redis.quit().catch(() => undefined);
  console.table(rows);
}

await main();
