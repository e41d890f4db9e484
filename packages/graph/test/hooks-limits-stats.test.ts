import {
  createRunStats,
  lastOutput,
  OrchestrationError,
  runnable,
  withRunStats,
  type Graph,
  type OrchestrationError as Err,
} from '@baton/core';
import type { Result } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  withGraphHooks,
  withGraphName,
  withGraphRateLimit,
  withNodeHooks,
  withNodeRateLimit,
  withNodeRetries,
  withNodeRetryPolicy,
} from '../src/index.js';
import { graphOf } from './support.js';

type Mode = 'invoke' | 'batch' | 'stream' | 'start';
const MODES: readonly Mode[] = ['invoke', 'batch', 'stream', 'start'];

async function runVia<O>(
  mode: Mode,
  g: Graph<unknown, O>,
  input: unknown,
): Promise<Result<O, Err>> {
  if (mode === 'invoke') return g.invoke(input);
  if (mode === 'batch') return (await g.batch([input])).map((outputs) => outputs[0] as O);
  if (mode === 'stream') return lastOutput(g.stream(input));
  const handle = g.start(input)._unsafeUnwrap();
  return handle.result;
}

const fast = withNodeRetryPolicy({ initialDelayMs: 1, maxDelayMs: 1 });

describe.each(MODES)('hooks under %s', (mode) => {
  it('node before/after change the input and output; the next node sees the hooked output', async () => {
    const g = graphOf<number, number>(
      {
        a: [
          (n: unknown) => (n as number) * 2,
          withNodeHooks<number, number>({ before: (n) => n + 1, after: (n) => n * 10 }),
        ],
        b: (n: unknown) => (n as number) + 1,
      },
      [['a', 'b']],
    );
    expect((await runVia(mode, g, 1))._unsafeUnwrap()).toBe(41);
  });

  it('node onError runs after the retries and recovers with a value', async () => {
    let calls = 0;
    const g = graphOf<number>(
      {
        a: [
          () => {
            calls++;
            throw new OrchestrationError('execution_failed', 'flaky');
          },
          fast,
          withNodeRetries(2),
          withNodeHooks({ onError: (e, info) => `recovered ${e.code} for ${info.step}` }),
        ],
      },
      [],
    );
    expect((await runVia(mode, g, 1))._unsafeUnwrap()).toBe('recovered max_retries_exceeded for a');
    expect(calls).toBe(3);
  });

  it.each(['before', 'after', 'onError'] as const)(
    'a failing node %s hook fails the run naming the hook and the node',
    async (hook) => {
      const g = graphOf(
        {
          a: [
            hook === 'onError'
              ? () => {
                  throw new OrchestrationError('invalid_input', 'no');
                }
              : (n: unknown) => n,
            withNodeHooks({
              [hook]: () => {
                throw new Error('hook broke');
              },
            }),
          ],
        },
        [],
      );
      const e = (await runVia(mode, g, 1))._unsafeUnwrapErr();
      expect(e.message).toContain(`a: its ${hook} hook failed: hook broke`);
      const cause = findHookError(e);
      expect(cause?.details).toMatchObject({ hook, step: 'a' });
    },
  );

  it('graph hooks wrap the run: before on the input, after on the output, onError recovers', async () => {
    const ok = graphOf<number, number>(
      { a: (n: unknown) => (n as number) * 2 },
      [],
      withGraphHooks<number, number>({
        before: (n) => n + 1,
        after: runnable('after', (n: number) => n - 1),
      }),
    );
    expect((await runVia(mode, ok, 1))._unsafeUnwrap()).toBe(3);
    const failing = graphOf(
      {
        a: () => {
          throw new OrchestrationError('invalid_input', 'bad');
        },
      },
      [],
      withGraphName('g'),
      withGraphHooks({ onError: (e) => `graph recovered from ${e.code}` }),
    );
    const out = (await runVia(mode, failing, 1))._unsafeUnwrap();
    expect(out).toMatch(/^graph recovered from /);
    const broken = graphOf(
      { a: (n: unknown) => n },
      [],
      withGraphName('g'),
      withGraphHooks({ after: () => Promise.reject(new Error('late')) }),
    );
    const e = (await runVia(mode, broken, 1))._unsafeUnwrapErr();
    expect(e.details).toMatchObject({ hook: 'after', step: 'g' });
  });
});

/** The hook error in `e` or its causes (a graph wraps a node's failure). */
function findHookError(e: unknown): { details: Record<string, unknown> } | undefined {
  for (let c: unknown = e; c !== undefined && c !== null; c = (c as { cause?: unknown }).cause) {
    const details = (c as { details?: Record<string, unknown> }).details;
    if (details?.hook !== undefined) return { details };
  }
  return undefined;
}

describe('hooks in specs', () => {
  it('toSpec refuses node hooks and node rate limits, naming the node and what to do', () => {
    const g = graphOf(
      {
        a: [(n: unknown) => n, withNodeHooks({ before: (n) => n })],
        b: [(n: unknown) => n, withNodeRateLimit({ requestsPerInterval: 1, intervalMs: 1_000 })],
      },
      [],
    );
    const e = g.toSpec()._unsafeUnwrapErr();
    expect(e.message).toContain('node "a" has hooks (withNodeHooks)');
    expect(e.message).toContain('node "b" has a rate limit (withNodeRateLimit)');
  });

  it('rejects invalid hooks and limits with invalid_config', () => {
    const g = graphOf({}, []);
    const bad = g.addNode(
      'a',
      runnable('a', (n: unknown) => n),
      withNodeHooks({ before: 1 } as never),
    );
    expect(bad._unsafeUnwrapErr().message).toContain(
      'before hook must be a function or a Runnable',
    );
    const limit = g.addNode(
      'b',
      runnable('b', (n: unknown) => n),
      withNodeRateLimit({ requestsPerInterval: 0, intervalMs: 1 }),
    );
    expect(limit._unsafeUnwrapErr().message).toContain('requestsPerInterval must be at least 1');
  });
});

describe('rate limits', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a graph-wide limit is shared by every node; a node limit by that node alone', async () => {
    vi.useFakeTimers({ now: 0 });
    const times: Record<string, number[]> = { a: [], b: [], c: [] };
    const at = (name: string) => (n: unknown) => {
      times[name]?.push(Date.now());
      return n;
    };
    // a and b in parallel, then c: 3 node executions per run, 2 per second graph-wide.
    const g = graphOf(
      {
        a: at('a'),
        b: at('b'),
        c: [at('c'), withNodeRateLimit({ requestsPerInterval: 1, intervalMs: 5_000 })],
      },
      [
        ['a', 'c'],
        ['b', 'c'],
      ],
      withGraphRateLimit({ requestsPerInterval: 2, intervalMs: 1_000 }),
    );
    const first = g.invoke(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await first).isOk()).toBe(true);
    expect(times).toEqual({ a: [0], b: [0], c: [1_000] });
    const second = g.invoke(2);
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await second).isOk()).toBe(true);
    // c's own limit holds it until 5 s after its first call.
    expect(times.c).toEqual([1_000, 6_000]);
  });

  it("onLimit 'fail' fails the node with rate_limit_exceeded", async () => {
    const g = graphOf(
      {
        a: [
          (n: unknown) => n,
          withNodeRateLimit({ requestsPerInterval: 1, intervalMs: 60_000, onLimit: 'fail' }),
        ],
      },
      [],
    );
    expect((await g.invoke(1)).isOk()).toBe(true);
    const e = (await g.invoke(1))._unsafeUnwrapErr();
    let c: unknown = e;
    while (
      (c as OrchestrationError).code !== 'rate_limit_exceeded' &&
      (c as Error).cause !== undefined
    )
      c = (c as Error).cause;
    expect((c as OrchestrationError).code).toBe('rate_limit_exceeded');
  });
});

describe('run statistics', () => {
  it('records runs per graph and per node, with errors', async () => {
    const stats = createRunStats();
    const g = graphOf(
      {
        a: (n: unknown) => n,
        b: (n: unknown) => {
          if (n === 'bad') throw new OrchestrationError('invalid_input', 'bad');
          return n;
        },
      },
      [['a', 'b']],
      withGraphName('pipeline'),
      withRunStats(stats),
    );
    await g.invoke('good');
    await g.invoke('bad');
    await lastOutput(g.stream('good'));
    await g.batch(['good', 'good']);
    const s = stats.summary().graphs.pipeline;
    expect(s).toMatchObject({ count: 5, errors: 1, errorRate: 0.2 });
    expect(s?.nodes.a).toMatchObject({ count: 5, errors: 0 });
    expect(s?.nodes.b).toMatchObject({ count: 5, errors: 1 });
    expect(s?.durationMs?.p99).toBeGreaterThanOrEqual(0);
  });
});
