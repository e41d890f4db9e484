/**
 * Overhead of `withRateLimit` when it does not limit (the budget is never reached), against the
 * bare Runnable, in the same process: the in-process limiter (sliding-window log), the same with
 * a token cost, and `withHooks` with a no-op `before`. Every case is `await r.invoke(1)` of a
 * trivial sync step (x => x + 1); overhead = time(wrapped) - time(bare).
 *
 * Also the Redis limiter's cost per call (one EVALSHA round trip) when Redis answers at
 * REDIS_URL (default redis://127.0.0.1:6379); skipped otherwise.
 */
import { createRateLimiter, runnable, withHooks, withRateLimit } from '@baton/core';
import { createRedisRateLimiter, withRedisUrl } from '@baton/memory';
import { Bench } from 'tinybench';

const step = runnable('inc', (x: number) => x + 1);
const HUGE = { requestsPerInterval: 1e12, intervalMs: 1 };
const limited = withRateLimit(step, HUGE);
const tokens = withRateLimit(step, {
  limiter: createRateLimiter({ ...HUGE, tokensPerInterval: 1e15 }),
  cost: (x: number) => x,
});
const hooked = withHooks(step, { before: (x: number) => x });

async function redisLimited() {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const limiter = createRedisRateLimiter(
    `bench-${process.pid}`,
    { requestsPerInterval: 1e9, intervalMs: 1_000 },
    withRedisUrl(url),
  );
  if (limiter.isErr()) return undefined;
  const probe = await limiter.value.tryAcquire({ requests: 1, tokens: 0 });
  if (probe.isErr()) {
    console.log(`Redis limiter skipped: ${probe.error.message}`);
    await limiter.value.close();
    return undefined;
  }
  return { r: withRateLimit(step, { limiter: limiter.value }), close: () => limiter.value.close() };
}

async function main(): Promise<void> {
  for (const r of [step, limited, tokens, hooked]) {
    if ((await r.invoke(1))._unsafeUnwrap() !== 2) throw new Error(`wrong output from ${r.name}`);
  }
  const bench = new Bench({ time: 1_500, warmupTime: 300 });
  bench
    .add('bare runnable', async () => {
      (await step.invoke(1))._unsafeUnwrap();
    })
    .add('withRateLimit (not limiting)', async () => {
      (await limited.invoke(1))._unsafeUnwrap();
    })
    .add('withRateLimit + token cost (not limiting)', async () => {
      (await tokens.invoke(1))._unsafeUnwrap();
    })
    .add('withHooks (no-op before)', async () => {
      (await hooked.invoke(1))._unsafeUnwrap();
    });
  const redis = await redisLimited();
  if (redis !== undefined) {
    // A fresh window every second: 1e9 requests, never reached; each call is one round trip.
    bench.add('withRateLimit on Redis (not limiting)', async () => {
      (await redis.r.invoke(1))._unsafeUnwrap();
    });
  }
  await bench.run();
  await redis?.close();

  const means = new Map<string, number>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    means.set(task.name, result.latency.mean * 1e3); // µs
  }
  const mean = (name: string): number => means.get(name) ?? Number.NaN;
  const bare = mean('bare runnable');
  console.table(
    bench.tasks.map((t) => ({
      case: t.name,
      'µs per invoke': mean(t.name).toFixed(3),
      'overhead vs bare (µs)': (mean(t.name) - bare).toFixed(3),
      'ratio to bare': (mean(t.name) / bare).toFixed(2),
    })),
  );
}

await main();
