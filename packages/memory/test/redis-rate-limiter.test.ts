import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runnable, withRateLimit } from '@baton/core';
import { connectRedis, requireRedis, type TestRedis } from '@baton/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter } from '../src/redis-rate-limiter.js';
import { withRedisClient, withRedisKeyPrefix, withRedisUrl } from '../src/redis-options.js';
import { fails, ok } from './helpers.js';

const hasRedis = await requireRedis();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const worker = fileURLToPath(new URL('./fixtures/rate-limit-worker.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly done: Promise<number[]>;
}

function startWorker(args: readonly string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, ...args], { cwd: repoRoot });
  let buffered = '';
  let stderr = '';
  const times: number[] = [];
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') onReady();
      else times.push(Number(line));
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<number[]>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code === 0) resolve(times);
      else reject(new Error(`worker exited with ${String(code)}: ${stderr}`));
    });
  });
  return { child, ready, done };
}

/** The most entries of sorted `times` in any half-open window `[t, t + windowMs)`. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  let worst = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[j] as number) <= (times[i] as number) - windowMs) j++;
    worst = Math.max(worst, i - j + 1);
  }
  return worst;
}

describe.runIf(hasRedis)('createRedisRateLimiter', () => {
  let redis: TestRedis;
  let n = 0;
  const prefix = () => `${redis.key(`rl${++n}`, '')}:`;
  beforeAll(async () => {
    redis = await connectRedis({ label: 'rate-limiter' });
  });
  afterAll(async () => {
    await redis.close();
  });

  it('grants the budget, then answers how long until the window has room', async () => {
    const limiter = await ok(
      createRedisRateLimiter(
        'api',
        { requestsPerInterval: 2, intervalMs: 60_000, tokensPerInterval: 100 },
        withRedisClient(redis.client),
        withRedisKeyPrefix(prefix()),
      ),
    );
    expect(await ok(limiter.tryAcquire({ requests: 1, tokens: 30 }))).toEqual({ granted: true });
    expect(await ok(limiter.tryAcquire({ requests: 1, tokens: 80 }))).toMatchObject({
      granted: false,
    });
    await ok(limiter.adjust(-20)); // the first call used 10
    expect(await ok(limiter.tryAcquire({ requests: 1, tokens: 80 }))).toEqual({ granted: true });
    const third = await ok(limiter.tryAcquire({ requests: 1, tokens: 0 }));
    expect(third.granted).toBe(false);
    if (!third.granted) {
      expect(third.retryAfterMs).toBeGreaterThan(59_000);
      expect(third.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
    expect((await fails(limiter.tryAcquire({ requests: 1, tokens: 101 }))).code).toBe(
      'invalid_input',
    );
    expect((await limiter.check()).status).toBe('healthy');
    // Two limiters with one name share the budget; with onLimit 'fail' the call says how long.
    const again = await ok(
      createRedisRateLimiter(
        'api',
        { requestsPerInterval: 2, intervalMs: 60_000, tokensPerInterval: 100 },
        withRedisClient(redis.client),
        withRedisKeyPrefix(limiter.key.slice(0, -'{api}'.length)),
      ),
    );
    const limited = withRateLimit(
      runnable('call', () => 1),
      { limiter: again, onLimit: 'fail' },
    );
    const e = (await limited.invoke(undefined))._unsafeUnwrapErr();
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.details.retryAfterMs).toBeGreaterThan(59_000);
  });

  it('rejects bad settings with invalid_config and an unreachable server with dependency_failed', async () => {
    const bad = createRedisRateLimiter('x', { requestsPerInterval: 0, intervalMs: 1_000 });
    expect(bad._unsafeUnwrapErr().message).toContain('requestsPerInterval');
    expect(createRedisRateLimiter('', { requestsPerInterval: 1, intervalMs: 1 }).isErr()).toBe(
      true,
    );
    const down = await ok(
      createRedisRateLimiter(
        'x',
        { requestsPerInterval: 1, intervalMs: 1_000 },
        withRedisUrl('redis://127.0.0.1:1'),
      ),
    );
    const e = await fails(down.tryAcquire({ requests: 1, tokens: 0 }));
    expect(e.code).toBe('dependency_failed');
    expect(e.retryable).toBe(true);
    await down.close();
  });

  it('holds one quota across four processes (calls measured per interval)', async () => {
    const requests = 10;
    const intervalMs = 500;
    const durationMs = 2_600;
    const keyPrefix = prefix();
    const args = [
      REDIS_URL,
      keyPrefix,
      'shared',
      String(requests),
      String(intervalMs),
      String(durationMs),
    ];
    const workers = [1, 2, 3, 4].map(() => startWorker(args));
    await Promise.all(workers.map((w) => w.ready));
    // The grants themselves, on Redis' clock: each stays in the window's sorted set for an
    // interval, so polling it every 50 ms sees every one.
    const grants = new Map<string, number>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const entries = await redis.client.zrange(`${keyPrefix}{shared}`, 0, -1, 'WITHSCORES');
        for (let i = 0; i < entries.length; i += 2) {
          grants.set(entries[i] as string, Number(entries[i + 1]));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    for (const w of workers) w.child.stdin.write('go\n');
    const perWorker = await Promise.all(workers.map((w) => w.done));
    polling = false;
    await poll;
    const calls = perWorker.flat();
    // Every worker got calls (the quota is shared, not taken by one)...
    for (const t of perWorker) expect(t.length).toBeGreaterThan(0);
    // ...every call had a grant (a grant may go unused when its caller's deadline passed)...
    expect(calls.length).toBeLessThanOrEqual(grants.size);
    // ...and no window of the interval holds more grants than the budget.
    const times = [...grants.values()].sort((a, b) => a - b);
    const busiest = busiestWindow(times, intervalMs);
    expect(busiest).toBeLessThanOrEqual(requests);
    // The budget is used: about `requests` per interval over the run.
    const intervals = durationMs / intervalMs;
    expect(calls.length).toBeLessThanOrEqual(requests * (Math.ceil(intervals) + 1));
    expect(calls.length).toBeGreaterThanOrEqual(requests * Math.floor(intervals) * 0.8);
    console.info(
      `redis rate limiter: ${calls.length} calls (${grants.size} grants) by 4 processes in ${durationMs} ms, budget ${requests} per ${intervalMs} ms, busiest window ${busiest} grants`,
    );
  }, 60_000);
});
