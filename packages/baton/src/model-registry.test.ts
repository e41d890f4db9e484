import { createRateLimiter, OrchestrationError, runnable } from '@baton/core';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import {
  createModelRegistry,
  type ModelDefinition,
  type ModelEvent,
  type ModelInput,
  type ModelRegistry,
} from './index.js';

/** A fake model answering `name:prompt`, failing while `failing()` says so; counts its calls. */
function fake(name: string, failing: () => boolean = () => false) {
  const calls: string[] = [];
  const model = runnable(name, (input: ModelInput) => {
    calls.push(input.prompt);
    if (failing()) throw new OrchestrationError('execution_failed', `${name} is down`);
    return `${name}:${input.prompt}`;
  });
  return { model, calls };
}

function define(
  name: string,
  price: number,
  runnableModel: ModelDefinition['runnable'],
  extra: Partial<ModelDefinition> = {},
): ModelDefinition {
  return {
    name,
    capabilities: ['text'],
    costPerMTokIn: price,
    costPerMTokOut: price,
    runnable: runnableModel,
    ...extra,
  };
}

function registry(...definitions: ModelDefinition[]): ModelRegistry {
  const models = createModelRegistry();
  for (const d of definitions) models.register(d)._unsafeUnwrap();
  return models;
}

describe('registerModel', () => {
  it('refuses bad definitions with invalid_config naming the field', () => {
    const models = createModelRegistry();
    const { model } = fake('a');
    const cases: [unknown, string][] = [
      [{ ...define('a', 1, model), capabilities: [] }, 'capabilities'],
      [{ ...define('a', 1, model), costPerMTokIn: -1 }, 'costPerMTokIn'],
      [{ ...define('a', 1, model), runnable: 42 }, 'runnable'],
      [{ ...define('a', 1, model), rateLimit: {} }, 'rateLimit'],
      [{ ...define('a', 1, model), rateLimit: { requestsPerMinute: 0 } }, 'requestsPerMinute'],
      [{ ...define('a', 1, model), extra: true }, 'extra'],
    ];
    for (const [definition, field] of cases) {
      const error = models.register(definition as ModelDefinition)._unsafeUnwrapErr();
      expect(error.code).toBe('invalid_config');
      expect(error.message).toContain(field);
    }
    expect(models.register(define('a', 1, model)).isOk()).toBe(true);
    expect(models.register(define('a', 2, model))._unsafeUnwrapErr().message).toContain(
      'already registered',
    );
  });

  it('refuses bad requests with invalid_input', async () => {
    const models = registry(define('a', 1, fake('a').model));
    const none = await models.generate({});
    expect(none._unsafeUnwrapErr().code).toBe('invalid_input');
    expect(none._unsafeUnwrapErr().message).toContain('prompt or messages');
    const bad = await models.generate({ prompt: 'x', maxTokens: -3 });
    expect(bad._unsafeUnwrapErr().message).toContain('maxTokens');
  });
});

describe('selection', () => {
  it('picks the cheapest model that has every capability asked for', async () => {
    const cheap = fake('cheap');
    const vision = fake('vision');
    const models = registry(
      define('premium', 10, fake('premium').model, { capabilities: ['text', 'vision'] }),
      define('vision', 3, vision.model, { capabilities: ['text', 'vision'] }),
      define('cheap', 1, cheap.model),
    );
    expect(models.candidates({ prompt: 'x' })._unsafeUnwrap()).toEqual([
      'cheap',
      'vision',
      'premium',
    ]);
    const answer = (
      await models.generate({ prompt: 'look', capabilities: ['vision'] })
    )._unsafeUnwrap();
    expect(answer).toMatchObject({ text: 'vision:look', model: 'vision' });
    expect(cheap.calls).toEqual([]);
    const missing = await models.generate({ prompt: 'x', capabilities: ['audio'] });
    expect(missing._unsafeUnwrapErr().code).toBe('not_found');
    expect(missing._unsafeUnwrapErr().message).toContain('audio');
    expect(models.capabilities()).toEqual(['text', 'vision']);
  });

  it('keeps to maxCost, estimated from the prompt and maxTokens', () => {
    const models = registry(
      define('cheap', 1, fake('c').model),
      define('dear', 100, fake('d').model),
    );
    // 400 characters = 100 tokens in, 100 out: cheap costs 0.0002, dear 0.02
    const prompt = 'x'.repeat(400);
    expect(models.candidates({ prompt, maxCost: 0.001 })._unsafeUnwrap()).toEqual(['cheap']);
    expect(models.candidates({ prompt, maxCost: 0.1 })._unsafeUnwrap()).toEqual(['cheap', 'dear']);
    const none = models.candidates({ prompt, maxCost: 0.00001 });
    expect(none._unsafeUnwrapErr().message).toContain('maxCost');
  });

  it('weighs price by the observed success rate', async () => {
    let down = true;
    const flaky = fake('flaky', () => down);
    const models = registry(
      define('flaky', 1, flaky.model, { circuitBreaker: { failureThreshold: 100 } }),
      define('steady', 2, fake('steady').model),
    );
    expect(models.candidates({ prompt: 'x' })._unsafeUnwrap()).toEqual(['flaky', 'steady']);
    for (let i = 0; i < 3; i++) await models.generate({ prompt: 'x' });
    // flaky failed twice (steady answered); then, at 0 of 2 its rate is 1/3, its effective
    // price 3 > steady's 2, so the third request went to steady first
    expect(models.stats('flaky')).toMatchObject({ calls: 2, failures: 2 });
    expect(models.stats('steady')).toMatchObject({ calls: 3, successes: 3 });
    expect(models.candidates({ prompt: 'x' })._unsafeUnwrap()).toEqual(['steady', 'flaky']);
    down = false;
    expect((await models.generate({ prompt: 'x', model: 'flaky' }))._unsafeUnwrap().model).toBe(
      'flaky',
    );
  });

  it('uses only the model a request names', async () => {
    const models = registry(define('a', 1, fake('a').model), define('b', 2, fake('b').model));
    expect((await models.generate({ prompt: 'p', model: 'b' }))._unsafeUnwrap().text).toBe('b:p');
    const unknown = await models.generate({ prompt: 'p', model: 'zzz' });
    expect(unknown._unsafeUnwrapErr().code).toBe('not_found');
  });
});

describe('fallback and circuit breaker', () => {
  it('falls back to the next model, reporting every attempt in the result and events', async () => {
    const models = registry(
      define('a', 1, fake('a', () => true).model),
      define('b', 2, fake('b').model),
    );
    const events: ModelEvent[] = [];
    const answer = (
      await models.generate({ prompt: 'hi' }, { emit: (e) => events.push(e) })
    )._unsafeUnwrap();
    expect(answer.model).toBe('b');
    expect(answer.text).toBe('b:hi');
    expect(answer.attempts.map((a) => [a.model, a.outcome])).toEqual([
      ['a', 'failed'],
      ['b', 'ok'],
    ]);
    expect(events.map((e) => `${e.model}:${e.outcome}`)).toEqual(['a:failed', 'b:ok']);
  });

  it('fails with every attempt listed when no model answers', async () => {
    const models = registry(
      define('a', 1, fake('a', () => true).model),
      define('b', 2, fake('b', () => true).model),
    );
    const error = (await models.generate({ prompt: 'x' }))._unsafeUnwrapErr();
    expect(error.code).toBe('execution_failed');
    expect(error.message).toContain('a: a is down');
    expect(error.message).toContain('b: b is down');
  });

  it('skips a model whose circuit is open until it recovers', async () => {
    let down = true;
    const a = fake('a', () => down);
    const models = registry(
      define('a', 1, a.model, { circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 40 } }),
      define('b', 2, fake('b').model),
    );
    await models.generate({ prompt: '1' });
    await models.generate({ prompt: '2' });
    expect(models.stats('a')?.circuit).toBe('open');
    expect((await models.check()).status).toBe('degraded');
    expect(models.candidates({ prompt: '3' })._unsafeUnwrap()).toEqual(['b', 'a']);
    expect((await models.generate({ prompt: '3' }))._unsafeUnwrap().model).toBe('b');
    const only = (await models.generate({ prompt: '3', model: 'a' }))._unsafeUnwrapErr();
    expect(only.code).toBe('circuit_breaker_open');
    expect(only.details['attempts']).toEqual([{ model: 'a', outcome: 'circuit_open' }]);
    expect(a.calls).toEqual(['1', '2']);
    down = false;
    await new Promise((r) => setTimeout(r, 50));
    expect(models.stats('a')?.circuit).toBe('half-open');
    const trial = (await models.generate({ prompt: '4', model: 'a' }))._unsafeUnwrap();
    expect(trial.model).toBe('a');
    expect(models.stats('a')?.circuit).toBe('closed');
    expect((await models.check()).status).toBe('healthy');
  });

  it('does not fall back when the call is canceled', async () => {
    const slow = runnable('slow', (_: ModelInput, ctx) => {
      return new Promise<string>((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
      });
    });
    const b = fake('b');
    const models = registry(define('slow', 1, slow), define('b', 2, b.model));
    const controller = new AbortController();
    const pending = models.generate({ prompt: 'x' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    expect((await pending)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(b.calls).toEqual([]);
  });
});

describe('rate limits', () => {
  it('fails with rate_limit_exceeded over requestsPerMinute when the caller says fail', async () => {
    const models = registry(
      define('a', 1, fake('a').model, { rateLimit: { requestsPerMinute: 2, onLimit: 'fail' } }),
    );
    expect((await models.generate({ prompt: '1' })).isOk()).toBe(true);
    expect((await models.generate({ prompt: '2' })).isOk()).toBe(true);
    const third = (await models.generate({ prompt: '3' }))._unsafeUnwrapErr();
    expect(third.code).toBe('rate_limit_exceeded');
  });

  it('falls back to another model when one is over its budget', async () => {
    const models = registry(
      define('a', 1, fake('a').model, { rateLimit: { requestsPerMinute: 1 } }),
      define('b', 2, fake('b').model),
    );
    expect((await models.generate({ prompt: '1' }))._unsafeUnwrap().model).toBe('a');
    const second = (await models.generate({ prompt: '2', onLimit: 'fail' }))._unsafeUnwrap();
    expect(second.model).toBe('b');
    expect(second.attempts.map((x) => x.outcome)).toEqual(['rate_limited', 'ok']);
  });

  it('counts tokens per minute', async () => {
    const models = registry(
      define('a', 1, fake('a').model, { rateLimit: { tokensPerMinute: 100, onLimit: 'fail' } }),
    );
    const prompt = 'x'.repeat(200); // 50 tokens in, 50 out (estimated from the answer)
    expect((await models.generate({ prompt })).isOk()).toBe(true);
    expect((await models.generate({ prompt }))._unsafeUnwrapErr().code).toBe('rate_limit_exceeded');
  });

  it('waits for the budget when the caller says wait', async () => {
    const limiter = createRateLimiter({ requestsPerInterval: 1, intervalMs: 60 });
    const models = registry(define('a', 1, fake('a').model, { rateLimit: { limiter } }));
    const started = Date.now();
    const [first, second] = await Promise.all([
      models.generate({ prompt: '1', onLimit: 'wait' }),
      models.generate({ prompt: '2', onLimit: 'wait' }),
    ]);
    expect(first.isOk() && second.isOk()).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });
});

describe('LangChain chat models', () => {
  it('runs a FakeListChatModel through the adapter and reports its text', async () => {
    const chat = new FakeListChatModel({ responses: ['first answer', 'second answer'] });
    const models = registry(define('lc', 1, chat));
    const answer = (await models.generate({ prompt: 'hello', system: 'be brief' }))._unsafeUnwrap();
    expect(answer).toMatchObject({ text: 'first answer', model: 'lc' });
    expect((await models.generate({ prompt: 'again' }))._unsafeUnwrap().text).toBe('second answer');
  });
});
