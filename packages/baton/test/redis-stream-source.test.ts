import { OrchestrationError, runnable, type Option } from '@baton/core';
import { createGraphBuilder, withGraphCheckpointer, withGraphName } from '@baton/graph';
import {
  createInMemoryCheckpointStore,
  withRedisClient,
  withRedisKeyPrefix,
  withRedisUrl,
} from '@baton/memory';
import { connectRedis, requireRedis, type TestRedis } from '@baton/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTrigger,
  redisStreamSource,
  withTriggerName,
  type TriggerActivity,
  withStreamBlockMs,
  withStreamClaimIdleMs,
  withStreamConsumer,
  withStreamDecode,
  withStreamMaxDeliveries,
  type RedisStreamSource,
  type RedisStreamSourceConfig,
} from '../src/index.js';

describe('redisStreamSource options', () => {
  it('refuses bad settings with invalid_config naming the field', () => {
    expect(redisStreamSource('', 'g')._unsafeUnwrapErr().details).toMatchObject({
      field: 'stream',
    });
    expect(redisStreamSource('s', '')._unsafeUnwrapErr().details).toMatchObject({ field: 'group' });
    const bad = redisStreamSource('s', 'g', withStreamBlockMs(0))._unsafeUnwrapErr();
    expect(bad.code).toBe('invalid_config');
    expect(bad.message).toContain('blockMs');
    const url = redisStreamSource(
      's',
      'g',
      withRedisUrl('http://user:secret@x'),
    )._unsafeUnwrapErr();
    expect(url.code).toBe('invalid_config');
    expect(url.message).not.toContain('secret');
    expect(redisStreamSource('s', 'g', withStreamMaxDeliveries(-1)).isErr()).toBe(true);
  });

  it('refuses a claimIdleMs under 1000 ms, saying why', () => {
    const short = redisStreamSource('s', 'g', withStreamClaimIdleMs(999))._unsafeUnwrapErr();
    expect(short.code).toBe('invalid_config');
    expect(short.details).toMatchObject({ field: 'claimIdleMs' });
    expect(short.message).toContain('at least 1000 ms');
    expect(redisStreamSource('s', 'g', withStreamClaimIdleMs(1_000)).isOk()).toBe(true);
  });

  it('reports an unreachable Redis as a retryable dependency_failed', async () => {
    const source = redisStreamSource(
      's',
      'g',
      withRedisUrl('redis://127.0.0.1:1'),
      withStreamBlockMs(50),
    )._unsafeUnwrap();
    const pulled = await source.pull(1, new AbortController().signal);
    const error = pulled._unsafeUnwrapErr();
    expect(error.code).toBe('dependency_failed');
    expect(error.retryable).toBe(true);
    await source.close();
  });
});

describe.runIf(await requireRedis())('redisStreamSource on Redis', () => {
  let redis: TestRedis;
  const sources: RedisStreamSource[] = [];
  let n = 0;
  let stream = '';
  beforeAll(async () => {
    redis = await connectRedis({ label: 'baton-rstream' });
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.close()));
  });
  afterAll(() => redis.close());

  function source<P = unknown>(
    ...extra: Option<RedisStreamSourceConfig<P>>[]
  ): RedisStreamSource<P> {
    const s = redisStreamSource<P>(
      stream,
      'workers',
      withRedisClient(redis.client),
      withRedisKeyPrefix(redis.prefix),
      withStreamBlockMs(100),
      ...extra,
    )._unsafeUnwrap();
    sources.push(s);
    return s;
  }
  async function add(...payloads: unknown[]): Promise<string[]> {
    const ids: string[] = [];
    for (const p of payloads) {
      const id = await redis.client.xadd(redis.prefix + stream, '*', 'payload', JSON.stringify(p));
      ids.push(id ?? '');
    }
    return ids;
  }
  const signal = (): AbortSignal => new AbortController().signal;
  const fresh = (): void => {
    n += 1;
    stream = `s${n}`;
  };

  it('delivers, acknowledges, and never hands out more than max', async () => {
    fresh();
    const s = source();
    const ids = await add({ a: 1 }, { a: 2 }, { a: 3 });
    const first = (await s.pull(2, signal()))._unsafeUnwrap();
    expect(first.map((d) => d.event)).toEqual([
      { id: ids[0], payload: { a: 1 }, deliveries: 1 },
      { id: ids[1], payload: { a: 2 }, deliveries: 1 },
    ]);
    const second = (await s.pull(5, signal()))._unsafeUnwrap();
    expect(second.map((d) => d.event.id)).toEqual([ids[2]]);
    for (const d of [...first, ...second]) (await d.ack())._unsafeUnwrap();
    expect((await first[0]!.ack())._unsafeUnwrapErr().code).toBe('invalid_state');
    const pending = await redis.client.xpending(redis.prefix + stream, 'workers');
    expect(pending[0]).toBe(0);
    expect((await s.pull(0, signal()))._unsafeUnwrapErr().code).toBe('invalid_input');
  });

  it('gives a restarted consumer its own pending entries back with their delivery count', async () => {
    fresh();
    const ids = await add('x', 'y');
    const a = source(withStreamConsumer('c1'));
    expect((await a.pull(2, signal()))._unsafeUnwrap()).toHaveLength(2);
    // A crash: the connection goes away without acknowledging or handing back.
    const b = source(withStreamConsumer('c1'));
    const again = (await b.pull(5, signal()))._unsafeUnwrap();
    expect(again.map((d) => [d.event.id, d.event.deliveries])).toEqual([
      [ids[0], 2],
      [ids[1], 2],
    ]);
  });

  it('takes over entries idle on a dead consumer (XAUTOCLAIM)', async () => {
    fresh();
    const ids = await add(1, 2, 3);
    // A consumer that read and died: its entries sit pending under its name.
    await redis.client.xgroup('CREATE', redis.prefix + stream, 'workers', '0', 'MKSTREAM');
    await redis.client.xreadgroup(
      'GROUP',
      'workers',
      'dead',
      'COUNT',
      3,
      'STREAMS',
      redis.prefix + stream,
      '>',
    );
    const s = source(withStreamClaimIdleMs(1_000));
    await new Promise((r) => setTimeout(r, 1_050));
    const taken = (await s.pull(2, signal()))._unsafeUnwrap();
    expect(taken.map((d) => [d.event.id, d.event.deliveries])).toEqual([
      [ids[0], 2],
      [ids[1], 2],
    ]);
    const rest = (await s.pull(2, signal()))._unsafeUnwrap();
    expect(rest.map((d) => d.event.id)).toEqual([ids[2]]);
  });

  it('keeps in-flight entries from being taken over while this consumer lives (heartbeat)', async () => {
    fresh();
    await add('slow');
    const a = source(withStreamClaimIdleMs(1_000));
    const b = source(withStreamClaimIdleMs(1_000));
    const held = (await a.pull(1, signal()))._unsafeUnwrap();
    await new Promise((r) => setTimeout(r, 1_300));
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 300);
    expect((await b.pull(1, ctl.signal))._unsafeUnwrap()).toEqual([]);
    (await held[0]!.ack())._unsafeUnwrap();
  });

  it('release hands an entry back at once, not counted as a delivery (maxDeliveries)', async () => {
    fresh();
    const [id] = await add('r');
    const a = source(withStreamClaimIdleMs(60_000), withStreamMaxDeliveries(1));
    const b = source(withStreamClaimIdleMs(60_000), withStreamMaxDeliveries(1));
    const [d] = (await a.pull(1, signal()))._unsafeUnwrap();
    (await d!.release())._unsafeUnwrap();
    const [again] = (await b.pull(1, signal()))._unsafeUnwrap();
    expect(again?.event).toMatchObject({ id, deliveries: 1 });
    (await again!.release())._unsafeUnwrap();
    const [third] = (await a.pull(1, signal()))._unsafeUnwrap();
    expect(third?.event).toMatchObject({ id, deliveries: 1 });
  });

  async function deadLetters(): Promise<Record<string, string>[]> {
    const entries = await redis.client.xrange(`${redis.prefix}${stream}:dead`, '-', '+');
    return entries.map(([, fields]) => {
      const record: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
      return record;
    });
  }

  it('dead-letters a bad payload with a typed error and goes on with the next entry', async () => {
    fresh();
    const [bad] = await add('ignored');
    await redis.client.xadd(
      redis.prefix + stream,
      bad!.replace(/-\d+$/u, '-99'),
      'payload',
      '{not json',
    );
    const [good] = await add({ ok: true });
    const s = source();
    const got = (await s.pull(5, signal()))._unsafeUnwrap();
    // The first entry decodes ('ignored'), the hand-written one does not.
    expect(got.map((d) => d.event.id)).toEqual([bad, good]);
    const dead = await deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ code: 'invalid_input', deliveries: '1', consumer: s.consumer });
    expect(JSON.parse(dead[0]!.fields!)).toEqual(['payload', '{not json']);
    const pending = await redis.client.xpending(redis.prefix + stream, 'workers');
    expect(pending[0]).toBe(2);
  });

  it('dead-letters with a custom decoder that throws, and entries past maxDeliveries', async () => {
    fresh();
    const [id] = await add('p');
    const strict = source(
      withStreamConsumer('c'),
      withStreamMaxDeliveries(1),
      withStreamDecode(({ fields }) => {
        if (fields.kind === undefined) throw new Error('no kind');
        return fields.kind;
      }),
    );
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 300);
    expect((await strict.pull(1, ctl.signal))._unsafeUnwrap()).toEqual([]);
    expect((await deadLetters())[0]).toMatchObject({ id, code: 'invalid_input' });

    fresh();
    const [again] = await add('q');
    const a = source(withStreamConsumer('d'), withStreamMaxDeliveries(1));
    expect((await a.pull(1, signal()))._unsafeUnwrap()).toHaveLength(1);
    const b = source(withStreamConsumer('d'), withStreamMaxDeliveries(1));
    const ctl2 = new AbortController();
    setTimeout(() => ctl2.abort(), 300);
    expect((await b.pull(1, ctl2.signal))._unsafeUnwrap()).toEqual([]);
    expect((await deadLetters())[0]).toMatchObject({
      id: again,
      code: 'max_retries_exceeded',
      deliveries: '2',
    });
  });

  it('deadLetter records the run failure and acknowledges the entry', async () => {
    fresh();
    const [id] = await add({ n: 1 });
    const s = source();
    const [d] = (await s.pull(1, signal()))._unsafeUnwrap();
    const failure = new OrchestrationError('execution_failed', 'run failed: boom', {
      op: 'graph.node',
    });
    (await d!.deadLetter(failure))._unsafeUnwrap();
    expect(await deadLetters()).toEqual([
      expect.objectContaining({
        id,
        code: 'execution_failed',
        message: 'run failed: boom',
        op: 'graph.node',
      }),
    ]);
    const pending = await redis.client.xpending(redis.prefix + stream, 'workers');
    expect(pending[0]).toBe(0);
    expect((await d!.ack())._unsafeUnwrapErr().code).toBe('invalid_state');
  });

  it('an abort ends a blocked pull promptly with [] and the next pull still works', async () => {
    fresh();
    const s = source(withStreamBlockMs(60_000));
    const ctl = new AbortController();
    const pulled = s.pull(3, ctl.signal);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    ctl.abort();
    expect((await pulled)._unsafeUnwrap()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
    const [id] = await add('after');
    const [d] = (await s.pull(1, signal()))._unsafeUnwrap();
    expect(d?.event.id).toBe(id);
  });

  it('close ends a blocked pull, hands back pending entries, keeps a given client open', async () => {
    fresh();
    const ids = await add(1);
    const a = source(withStreamBlockMs(60_000), withStreamClaimIdleMs(60_000));
    const [held] = (await a.pull(1, signal()))._unsafeUnwrap();
    const blocked = a.pull(1, signal());
    await new Promise((r) => setTimeout(r, 50));
    await a.close();
    expect((await blocked)._unsafeUnwrap()).toEqual([]);
    expect((await a.pull(1, signal()))._unsafeUnwrapErr().code).toBe('invalid_state');
    expect((await held!.ack())._unsafeUnwrapErr().code).toBe('invalid_state');
    expect(await redis.client.ping()).toBe('PONG');
    const b = source(withStreamClaimIdleMs(60_000));
    const [again] = (await b.pull(1, signal()))._unsafeUnwrap();
    expect(again?.event).toMatchObject({ id: ids[0], deliveries: 1 });
  });

  /** Makes the dead-letter key a string, so XADD to it fails with WRONGTYPE. */
  async function breakDeadLetter(): Promise<void> {
    await redis.client.set(`${redis.prefix}${stream}:dead`, 'not a stream');
  }
  async function pendingIds(): Promise<string[]> {
    const lines = (await redis.client.xpending(
      redis.prefix + stream,
      'workers',
      '-',
      '+',
      100,
    )) as [string, string, number, number][];
    return lines.map(([id]) => id);
  }
  const aborted = (ms: number): AbortSignal => AbortSignal.timeout(ms);

  it('a failing dead-letter write (WRONGTYPE) leaves the entry pending, not acknowledged', async () => {
    fresh();
    await breakDeadLetter();
    const [id] = await add({ n: 1 });
    const s = source();
    const [d] = (await s.pull(1, signal()))._unsafeUnwrap();
    const failed = await d!.deadLetter(new OrchestrationError('execution_failed', 'boom'));
    expect(failed._unsafeUnwrapErr().message).toContain('WRONGTYPE');
    expect(await pendingIds()).toEqual([id]);
    // A bad entry the source itself dead-letters stays pending too.
    fresh();
    await breakDeadLetter();
    const bad = await redis.client.xadd(redis.prefix + stream, '*', 'nopayload', 'x');
    expect((await source().pull(5, aborted(300))).isErr()).toBe(true);
    expect(await pendingIds()).toEqual([bad]);
  });

  it('a failing dead-letter write in a batch strands no good entry of that batch', async () => {
    fresh();
    await breakDeadLetter();
    const [good] = await add({ ok: 1 });
    const [bad] = [await redis.client.xadd(redis.prefix + stream, '*', 'nopayload', 'x')];
    const s = source(withStreamConsumer('batch'));
    expect((await s.pull(5, signal())).isErr()).toBe(true);
    await redis.client.del(`${redis.prefix}${stream}:dead`);
    const again = (await s.pull(5, aborted(2_000)))._unsafeUnwrap();
    expect(again.map((d) => d.event.id)).toEqual([good]);
    expect((await deadLetters()).map((r) => r.id)).toEqual([bad]);
    (await again[0]!.ack())._unsafeUnwrap();
    expect(await pendingIds()).toEqual([]);
  });

  it('a failed ack does not strand the entry: the next pull delivers it again', async () => {
    fresh();
    const client = redis.client.duplicate({ enableOfflineQueue: true });
    await client.ping();
    const call = client.call.bind(client) as (...args: unknown[]) => Promise<unknown>;
    let failNext = false;
    (client as unknown as { call: unknown }).call = (...args: unknown[]) => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('simulated: connection lost'));
      }
      return call(...args);
    };
    try {
      const [id] = await add({ n: 1 });
      const s = source(withRedisClient(client), withStreamConsumer('acker'));
      const [d] = (await s.pull(1, signal()))._unsafeUnwrap();
      failNext = true;
      expect((await d!.ack()).isErr()).toBe(true);
      const [again] = (await s.pull(1, aborted(2_000)))._unsafeUnwrap();
      expect(again?.event).toMatchObject({ id, deliveries: 2 });
      (await again!.ack())._unsafeUnwrap();
      expect(await pendingIds()).toEqual([]);
    } finally {
      await Promise.all(sources.splice(0).map((x) => x.close()));
      client.disconnect();
    }
  });

  it('dead-letters ids XAUTOCLAIM reports deleted while pending, as not_found', async () => {
    fresh();
    const [id] = await add('gone');
    await redis.client.xgroup('CREATE', redis.prefix + stream, 'workers', '0', 'MKSTREAM');
    await redis.client.xreadgroup(
      'GROUP',
      'workers',
      'dead',
      'COUNT',
      1,
      'STREAMS',
      redis.prefix + stream,
      '>',
    );
    await redis.client.xdel(redis.prefix + stream, id!);
    const s = source(withStreamClaimIdleMs(1_000));
    await new Promise((r) => setTimeout(r, 1_050));
    expect((await s.pull(1, aborted(500)))._unsafeUnwrap()).toEqual([]);
    expect(await deadLetters()).toEqual([expect.objectContaining({ id, code: 'not_found' })]);
  });

  it('an entry taken over while this consumer paused is lost: not re-claimed, not settled', async () => {
    fresh();
    const [id] = await add({ n: 1 });
    const a = source(withStreamClaimIdleMs(1_000), withStreamConsumer('stalled'));
    const [d] = (await a.pull(1, signal()))._unsafeUnwrap();
    expect(d!.lost?.aborted).toBe(false);
    // What another consumer does once the entry idled past claimIdleMs during a pause of `a`.
    await redis.client.xclaim(redis.prefix + stream, 'workers', 'other', 0, id!);
    await new Promise<void>((resolve) => d!.lost!.addEventListener('abort', () => resolve()));
    const owners = (await redis.client.xpending(
      redis.prefix + stream,
      'workers',
      '-',
      '+',
      10,
    )) as [string, string][];
    expect(owners.map(([, owner]) => owner)).toEqual(['other']);
    const acked = (await d!.ack())._unsafeUnwrapErr();
    expect(acked.code).toBe('invalid_state');
    expect(acked.message).toContain('other');
    expect(await pendingIds()).toEqual([id]);
    expect((await d!.release()).isErr()).toBe(true);
    const after = (await redis.client.xpending(redis.prefix + stream, 'workers', '-', '+', 10)) as [
      string,
      string,
      number,
    ][];
    expect(after[0]?.[2]).toBeLessThan(1_000);
  });

  it('a trigger cancels the run of an event taken over by another consumer and settles nothing', async () => {
    fresh();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const blocked = new Promise<void>((resolve) => (finish = resolve));
    let completedNodes = 0;
    const work = runnable('work', async (x: unknown) => {
      started();
      await blocked;
      completedNodes += 1;
      return x;
    });
    const graph = createGraphBuilder()
      .node(work)
      .build(
        withGraphName('lost'),
        withGraphCheckpointer(createInMemoryCheckpointStore()._unsafeUnwrap()),
      )
      ._unsafeUnwrap();
    const s = source(withStreamClaimIdleMs(1_000), withStreamConsumer('paused'));
    const trigger = createTrigger(s, graph, withTriggerName('lost'))._unsafeUnwrap();
    const seen: TriggerActivity[] = [];
    let noticed!: () => void;
    const lostSeen = new Promise<void>((resolve) => (noticed = resolve));
    trigger.events$.subscribe((a) => {
      seen.push(a);
      if (a.type === 'source-error' && a.error?.message.includes('taken over') === true) noticed();
    });
    trigger.start();
    const [id] = await add({ n: 1 });
    await running;
    // Another consumer takes the entry over, as after a pause of this process past claimIdleMs.
    await redis.client.xclaim(redis.prefix + stream, 'workers', 'other', 0, id!);
    await lostSeen;
    finish();
    await new Promise((r) => setTimeout(r, 100));
    await trigger.stop();
    const owners = (await redis.client.xpending(
      redis.prefix + stream,
      'workers',
      '-',
      '+',
      10,
    )) as [string, string][];
    expect(owners).toEqual([[id, 'other', expect.any(Number), expect.any(Number)]]);
    expect(seen.filter((a) => a.type === 'completed')).toEqual([]);
    expect(completedNodes).toBeLessThanOrEqual(1);
  });
});
