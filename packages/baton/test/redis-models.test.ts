import { runnable } from '@baton/core';
import { createRedisRateLimiter, withRedisClient, withRedisKeyPrefix } from '@baton/memory';
import { connectRedis, requireRedis, type TestRedis } from '@baton/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, type ModelInput, type Orchestrator } from '../src/index.js';

const answer = runnable('m', (input: ModelInput) => `ok:${input.prompt}`);

describe.runIf(await requireRedis())('models sharing a Redis rate limit', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await connectRedis({ label: 'baton-models' });
  });
  afterAll(() => redis.close());

  function orchestrator(): Orchestrator {
    const limiter = createRedisRateLimiter(
      'model-m',
      { requestsPerInterval: 3, intervalMs: 60_000 },
      withRedisClient(redis.client),
      withRedisKeyPrefix(redis.prefix),
    )._unsafeUnwrap();
    const o = createOrchestrator()._unsafeUnwrap();
    o.registerModel({
      name: 'm',
      capabilities: ['text'],
      costPerMTokIn: 1,
      costPerMTokOut: 1,
      runnable: answer,
      rateLimit: { limiter, onLimit: 'fail' },
    })._unsafeUnwrap();
    return o;
  }

  it('shares one budget between orchestrators and reports Redis in check()', async () => {
    const a = orchestrator();
    const b = orchestrator();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, i) => (i % 2 ? a : b).models.generate({ prompt: `${i}` })),
    );
    expect(outcomes.filter((r) => r.isOk())).toHaveLength(3);
    const refused = outcomes.filter((r) => r.isErr());
    expect(refused.map((r) => r._unsafeUnwrapErr().code)).toEqual([
      'rate_limit_exceeded',
      'rate_limit_exceeded',
    ]);
    const report = await a.check();
    const models = report.checks.find((c) => c.component === 'models');
    const model = models?.checks.find((c) => c.component === 'model:m');
    expect(model?.checks.map((c) => c.status)).toEqual(['healthy', 'healthy']);
    expect(report.status).toBe('healthy');
  });
});
