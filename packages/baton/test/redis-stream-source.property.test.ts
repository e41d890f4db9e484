/**
 * fast-check against a reference: random sequences of adds, pulls (two consumers), acks and
 * releases on a real Redis stream. The reference is a set of available ids, a map of
 * outstanding ones. Checked: a pull never returns more than `max`
 * nor an id outstanding elsewhere, returns something exactly when the reference has something
 * available, counts deliveries as 1 (releases are not counted); after draining, every added id was acked once.
 */
import { withRedisClient, withRedisKeyPrefix } from '@baton/memory';
import { connectRedis, requireRedis, type TestRedis } from '@baton/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  redisStreamSource,
  withStreamBlockMs,
  withStreamClaimIdleMs,
  type RedisStreamSource,
  type TriggerDelivery,
} from '../src/index.js';

type Op =
  | { kind: 'add'; count: number }
  | { kind: 'pull'; consumer: number; max: number }
  | { kind: 'ack' | 'release'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), count: fc.integer({ min: 1, max: 4 }) }),
  fc.record({
    kind: fc.constant('pull' as const),
    consumer: fc.integer({ min: 0, max: 1 }),
    max: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ kind: fc.constantFrom('ack' as const, 'release' as const), pick: fc.nat() }),
);

describe.runIf(await requireRedis())('redisStreamSource against a reference', () => {
  let redis: TestRedis;
  let run = 0;
  beforeAll(async () => {
    redis = await connectRedis({ label: 'baton-rstream-prop' });
  });
  afterAll(() => redis.close());

  it('delivers each entry to one holder at a time and acks every entry once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        run += 1;
        const stream = `p${run}`;
        const make = (): RedisStreamSource =>
          redisStreamSource(
            stream,
            'g',
            withRedisClient(redis.client),
            withRedisKeyPrefix(redis.prefix),
            withStreamBlockMs(50),
            withStreamClaimIdleMs(60_000),
          )._unsafeUnwrap();
        const consumers = [make(), make()];
        const added: string[] = [];
        const available = new Set<string>();
        const held = new Map<string, TriggerDelivery>();
        const acked: string[] = [];
        const pull = async (c: RedisStreamSource, max: number) => {
          const ctl = new AbortController();
          const timer = setTimeout(() => ctl.abort(), available.size > 0 ? 5_000 : 150);
          const got = (await c.pull(max, ctl.signal))._unsafeUnwrap();
          clearTimeout(timer);
          expect(got.length).toBeLessThanOrEqual(max);
          expect(got.length > 0).toBe(available.size > 0);
          for (const d of got) {
            const { id, deliveries } = d.event;
            expect(available.has(id), `${id} delivered while not available`).toBe(true);
            // A release hands the entry back without counting a delivery.
            expect(deliveries).toBe(1);
            available.delete(id);
            held.set(id, d);
          }
        };
        try {
          for (const o of ops) {
            if (o.kind === 'add') {
              for (let i = 0; i < o.count; i += 1) {
                const id = await redis.client.xadd(redis.prefix + stream, '*', 'payload', '1');
                added.push(id ?? '');
                available.add(id ?? '');
              }
            } else if (o.kind === 'pull') {
              await pull(consumers[o.consumer]!, o.max);
            } else if (held.size > 0) {
              const [id, d] = [...held][o.pick % held.size]!;
              held.delete(id);
              if (o.kind === 'ack') {
                (await d.ack())._unsafeUnwrap();
                acked.push(id);
              } else {
                (await d.release())._unsafeUnwrap();
                available.add(id);
              }
            }
          }
          for (const d of held.values()) (await d.ack())._unsafeUnwrap();
          acked.push(...held.keys());
          held.clear();
          while (available.size > 0) {
            await pull(consumers[0]!, 3);
            for (const [id, d] of held) {
              (await d.ack())._unsafeUnwrap();
              acked.push(id);
            }
            held.clear();
          }
          expect([...acked].sort()).toEqual([...added].sort());
        } finally {
          await Promise.all(consumers.map((c) => c.close()));
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});
