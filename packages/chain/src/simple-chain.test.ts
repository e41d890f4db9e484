import { OrchestrationError, runnable, type StepContext } from '@baton/core';
import { err } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import {
  withChainName,
  withChainRetries,
  withChainRetryPolicy,
  withChainStepTimeout,
  withChainTimeout,
} from './chain-options.js';
import { createChain } from './create-chain.js';
import { delay, untilAborted } from '../test/fixtures.js';

const fast = withChainRetryPolicy({ initialDelayMs: 1, maxDelayMs: 2, jitter: 0 });

describe('invoke', () => {
  it("feeds each step's output to the next", async () => {
    const seen: unknown[] = [];
    const chain = createChain([
      runnable('parse', (s: string) => Number(s)),
      async (n: number) => {
        seen.push(n);
        await delay(1);
        return n * 2;
      },
      (n: number) => ({ value: n }),
    ])._unsafeUnwrap();
    expect((await chain.invoke('21'))._unsafeUnwrap()).toEqual({ value: 42 });
    expect(seen).toEqual([21]);
  });

  it('gives every step the run id, metadata and signal of the run', async () => {
    const seen: unknown[] = [];
    const record = (n: number, ctx: StepContext) => {
      seen.push([ctx.runId, ctx.metadata['user'], ctx.signal instanceof AbortSignal]);
      return n;
    };
    const chain = createChain([record, record])._unsafeUnwrap();
    await chain.invoke(1, { runId: 'r-1', metadata: { user: 'ada' } });
    expect(seen).toEqual([
      ['r-1', 'ada', true],
      ['r-1', 'ada', true],
    ]);
  });

  it('fails with the error of a step that throws, and runs no later step', async () => {
    let later = false;
    const chain = createChain([
      (n: number) => n,
      (): number => {
        throw new Error('bad step');
      },
      (n: number) => {
        later = true;
        return n;
      },
    ])._unsafeUnwrap();
    const e = (await chain.invoke(1))._unsafeUnwrapErr();
    expect(e.code).toBe('execution_failed');
    expect(e.message).toContain('bad step');
    expect((e.cause as Error).message).toBe('bad step');
    expect(later).toBe(false);
  });

  it('fails with the error of a step that returns Err', async () => {
    const chain = createChain([
      (_n: number) => err(new OrchestrationError('rate_limit_exceeded', 'slow down')),
      (n: number) => n,
    ])._unsafeUnwrap();
    const e = (await chain.invoke(1))._unsafeUnwrapErr();
    expect(e.code).toBe('rate_limit_exceeded');
  });

  it('times a step out with withChainStepTimeout and aborts it', async () => {
    const record = { aborted: false };
    const chain = createChain(
      [(n: number, ctx) => untilAborted(ctx.signal, record).then(() => n)],
      withChainName('slow'),
      withChainStepTimeout(20),
    )._unsafeUnwrap();
    const e = (await chain.invoke(1))._unsafeUnwrapErr();
    expect(e.code).toBe('timeout');
    expect(e.message).toContain('timed out after 20 ms');
    expect(record.aborted).toBe(true);
  });

  it('times the whole chain out with withChainTimeout, starting no further step', async () => {
    let third = false;
    const chain = createChain(
      [
        async (n: number) => {
          await delay(15);
          return n;
        },
        async (n: number) => {
          await delay(15);
          return n;
        },
        (n: number) => {
          third = true;
          return n;
        },
      ],
      withChainTimeout(20),
    )._unsafeUnwrap();
    const e = (await chain.invoke(1))._unsafeUnwrapErr();
    expect(e.code).toBe('timeout');
    expect(e.message).toContain('chain timed out after 20 ms');
    await delay(20);
    expect(third).toBe(false);
  });

  it('retries the failing step only, not the steps before it', async () => {
    const calls = { a: 0, b: 0, c: 0 };
    const chain = createChain(
      [
        (n: number) => {
          calls.a++;
          return n + 1;
        },
        (n: number) => {
          calls.b++;
          if (calls.b < 3) throw new Error('flaky');
          return n * 10;
        },
        (n: number) => {
          calls.c++;
          return n;
        },
      ],
      withChainRetries(2),
      fast,
    )._unsafeUnwrap();
    expect((await chain.invoke(1))._unsafeUnwrap()).toBe(20);
    expect(calls).toEqual({ a: 1, b: 3, c: 1 });
  });

  it('runs a step once with retries 0', async () => {
    let calls = 0;
    const chain = createChain(
      [
        (): number => {
          calls++;
          throw new Error('flaky');
        },
      ],
      withChainRetries(0),
    )._unsafeUnwrap();
    expect((await chain.invoke(1))._unsafeUnwrapErr().code).toBe('execution_failed');
    expect(calls).toBe(1);
  });

  it('fails with max_retries_exceeded when retries run out, the last error as cause', async () => {
    let calls = 0;
    const chain = createChain(
      [
        (): number => {
          calls++;
          throw new Error(`flaky #${calls}`);
        },
      ],
      withChainRetries(2),
      fast,
    )._unsafeUnwrap();
    const e = (await chain.invoke(1))._unsafeUnwrapErr();
    expect(e.code).toBe('max_retries_exceeded');
    expect(calls).toBe(3);
    expect((e.cause as OrchestrationError).message).toContain('flaky #3');
  });

  it('does not retry a non-retryable error, nor what retryOn refuses', async () => {
    let calls = 0;
    const step = (): number => {
      calls++;
      throw new OrchestrationError('invalid_input', 'bad question');
    };
    const chain = createChain([step], withChainRetries(3), fast)._unsafeUnwrap();
    expect((await chain.invoke(1))._unsafeUnwrapErr().code).toBe('invalid_input');
    expect(calls).toBe(1);
    calls = 0;
    const picky = createChain(
      [
        () => {
          calls++;
          return Promise.reject(new Error('x'));
        },
      ],
      withChainRetries(4),
      withChainRetryPolicy({
        initialDelayMs: 1,
        retryOn: (_e, attempt) => attempt < 2,
      }),
    )._unsafeUnwrap();
    expect((await picky.invoke(1))._unsafeUnwrapErr().code).toBe('execution_failed');
    expect(calls).toBe(2);
  });

  it('retries a step that timed out', async () => {
    let calls = 0;
    const chain = createChain(
      [
        (n: number, ctx) => {
          calls++;
          return calls === 1 ? untilAborted(ctx.signal, { aborted: false }) : n;
        },
      ],
      withChainStepTimeout(10),
      withChainRetries(1),
      fast,
    )._unsafeUnwrap();
    expect((await chain.invoke(7))._unsafeUnwrap()).toBe(7);
    expect(calls).toBe(2);
  });

  it('cancels with task_canceled when aborted mid-run: the running step sees its signal, no further step starts', async () => {
    const record = { aborted: false };
    let second = false;
    const controller = new AbortController();
    const chain = createChain(
      [
        (n: number, ctx) => untilAborted(ctx.signal, record).then(() => n),
        (n: number) => {
          second = true;
          return n;
        },
      ],
      withChainRetries(3),
      fast,
    )._unsafeUnwrap();
    const pending = chain.invoke(1, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const e = (await pending)._unsafeUnwrapErr();
    expect(e.code).toBe('task_canceled');
    expect(record.aborted).toBe(true);
    await delay(10);
    expect(second).toBe(false);
  });
});

describe('check', () => {
  it('reports healthy with its steps, and folds in steps that can check themselves', async () => {
    const inner = createChain([(n: number) => n], withChainName('inner'))._unsafeUnwrap();
    const outer = createChain(
      [inner, (n: number) => n + 1],
      withChainName('outer'),
    )._unsafeUnwrap();
    const report = await outer.check();
    expect(report.status).toBe('healthy');
    expect(report.component).toBe('chain:outer');
    expect(report.details['steps']).toEqual(['inner', 'step-1']);
    expect(report.checks.map((c) => c.component)).toEqual(['chain:inner']);
    expect((await outer.invoke(1))._unsafeUnwrap()).toBe(2);
  });

  it('is unhealthy when a step reports unhealthy', async () => {
    const sick = Object.assign(
      runnable('sick', (n: number) => n),
      {
        check: () =>
          Promise.resolve({
            status: 'unhealthy' as const,
            component: 'sick',
            details: {},
            checks: [],
            timestamp: 0,
          }),
      },
    );
    const chain = createChain([sick])._unsafeUnwrap();
    expect((await chain.check()).status).toBe('unhealthy');
  });
});
