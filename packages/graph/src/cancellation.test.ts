import { OrchestrationError, runnable } from '@baton/core';
import { trackTimers, type TimerTracker } from '@baton/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, deferred, graphOf } from '../test/support.js';
import {
  createGraph,
  withGraphMaxWorkers,
  withGraphTimeout,
  withNodeRetries,
  withNodeRetryPolicy,
  withNodeTimeout,
} from './index.js';

let timers: TimerTracker;
beforeEach(() => {
  timers = trackTimers();
});
afterEach(() => {
  timers.restore();
});

/** A node that never settles on its own and records when its signal fires. */
function hanging(name: string, log: string[]) {
  return runnable(name, (_: unknown, ctx) => {
    log.push(`start:${name}`);
    ctx.signal.addEventListener('abort', () => log.push(`abort:${name}`), { once: true });
    return new Promise(() => undefined);
  });
}

describe('cancellation', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w);
  };
  afterEach(() => {
    process.off('warning', onWarning);
    warnings.length = 0;
  });

  it('an already aborted signal fails at once without starting a node', async () => {
    const log: string[] = [];
    const g = graphOf({ a: hanging('a', log) }, []);
    const controller = new AbortController();
    controller.abort();
    expect((await g.invoke(1, { signal: controller.signal }))._unsafeUnwrapErr().code).toBe(
      'task_canceled',
    );
    expect(log).toEqual([]);
  });

  it('aborting aborts every running node, starts no new node, and ends within milliseconds', async () => {
    const log: string[] = [];
    const g = graphOf(
      {
        a: hanging('a', log),
        b: hanging('b', log),
        c: hanging('c', log),
        after: hanging('after', log),
      },
      [['a', 'after']],
      withGraphMaxWorkers(2),
    );
    const controller = new AbortController();
    const run = g.invoke(1, { signal: controller.signal });
    while (log.length < 2) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 10)); // time for a wrongly started third node
    expect(log).toEqual(['start:a', 'start:b']);
    const abortedAt = performance.now();
    controller.abort();
    const error = (await run)._unsafeUnwrapErr();
    const latency = performance.now() - abortedAt;
    expect(error.code).toBe('task_canceled');
    expect(latency).toBeLessThan(250); // generous for a loaded machine; typically well under 1 ms
    await new Promise((r) => setTimeout(r, 10));
    expect(log.sort()).toEqual(['abort:a', 'abort:b', 'start:a', 'start:b']); // c never started
    expect(timers.pending()).toBe(0);
  });

  it('unsubscribing from stream aborts the run', async () => {
    const log: string[] = [];
    const started = deferred();
    const g = graphOf({ a: hanging('a', log), b: runnable('b', () => started.resolve()) }, []);
    const subscription = g.stream(1).subscribe({ error: () => undefined });
    await started.promise;
    subscription.unsubscribe();
    expect(log).toEqual(['start:a', 'abort:a']);
  });

  it('aborting the signal of a chain graph run aborts its running node, in every run', async () => {
    const log: string[] = [];
    const g = graphOf({ a: (x: unknown) => x, b: hanging('b', log) }, [['a', 'b']]);
    for (let i = 0; i < 2; i++) {
      const controller = new AbortController();
      const run = g.invoke(1, { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      expect((await run)._unsafeUnwrapErr().code).toBe('task_canceled');
    }
    expect(log).toEqual(['start:b', 'abort:b', 'start:b', 'abort:b']);
  });

  it('withGraphTimeout fails with timeout and leaves no timer behind', async () => {
    const log: string[] = [];
    const g = graphOf({ a: hanging('a', log) }, [], withGraphTimeout(30));
    const error = (await g.invoke(1))._unsafeUnwrapErr();
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('30 ms');
    expect(log).toEqual(['start:a', 'abort:a']);
    expect(timers.pending()).toBe(0);
  });

  it('clears the graph timer when the run succeeds', async () => {
    const g = graphOf({ a: async (x: unknown) => x }, [], withGraphTimeout(60_000));
    expect((await g.invoke(1)).isOk()).toBe(true);
    expect(timers.pending()).toBe(0);
  });

  it('honours RunOptions.timeoutMs', async () => {
    const log: string[] = [];
    const g = graphOf({ a: hanging('a', log) }, []);
    expect((await g.invoke(1, { timeoutMs: 20 }))._unsafeUnwrapErr().code).toBe('timeout');
    expect(log).toEqual(['start:a', 'abort:a']);
  });

  it('withNodeTimeout bounds each attempt, and timeouts are retried', async () => {
    let attempts = 0;
    const g = graphOf(
      {
        slow: [
          runnable('slow', (_: unknown, ctx) => {
            attempts++;
            return new Promise((resolve) => {
              if (attempts === 3) resolve('third time');
              ctx.signal.addEventListener('abort', () => undefined);
            });
          }),
          withNodeTimeout(20),
          withNodeRetries(2),
          withNodeRetryPolicy({ initialDelayMs: 1 }),
        ],
        other: (x: unknown) => x,
      },
      [],
    );
    expect((await g.invoke(1))._unsafeUnwrap()).toEqual({ slow: 'third time', other: 1 });
    expect(attempts).toBe(3);
    const once = graphOf(
      { slow: [runnable('slow', () => new Promise(() => undefined)), withNodeTimeout(20)] },
      [],
    );
    const error = (await once.invoke(1))._unsafeUnwrapErr();
    expect(error.code).toBe('timeout');
    expect(error.details.node).toBe('slow');
  });

  it('a node aborted by fail fast sees a task_canceled reason naming the failed node', async () => {
    let reason: unknown;
    const g = graphOf(
      {
        bad: async () => {
          await new Promise((r) => setTimeout(r, 5));
          throw new OrchestrationError('invalid_input', 'nope');
        },
        victim: runnable(
          'victim',
          (_: unknown, ctx) =>
            new Promise(() =>
              ctx.signal.addEventListener('abort', () => {
                reason = ctx.signal.reason as unknown;
              }),
            ),
        ),
      },
      [],
    );
    expect((await g.invoke(1))._unsafeUnwrapErr().code).toBe('invalid_input');
    expect((reason as OrchestrationError).code).toBe('task_canceled');
    expect((reason as OrchestrationError).message).toContain('"bad" failed');
  });

  it('emits no MaxListenersExceededWarning for a 1,000-wide fan-out run with a signal', async () => {
    process.on('warning', onWarning);
    const width = 1_000;
    const g = createGraph<number, number>(withGraphMaxWorkers(Infinity))._unsafeUnwrap();
    g.addNode(
      'src',
      runnable('src', (x: number) => x),
    )._unsafeUnwrap();
    g.addNode(
      'sink',
      runnable('sink', (r: Record<string, number>) => Object.keys(r).length),
    )._unsafeUnwrap();
    for (let i = 0; i < width; i++) {
      g.addNode(
        `b${i}`,
        runnable(`b${i}`, async (x: number, ctx) => {
          ctx.signal.addEventListener('abort', () => undefined, { once: true });
          await new Promise((r) => setTimeout(r, 1));
          return x + i;
        }),
      )._unsafeUnwrap();
      g.addEdge('src', `b${i}`)._unsafeUnwrap();
      g.addEdge(`b${i}`, 'sink')._unsafeUnwrap();
    }
    const controller = new AbortController();
    expect((await g.invoke(1, { signal: controller.signal }))._unsafeUnwrap()).toBe(width);
    const streamed = await collect(g.stream(1, { signal: controller.signal }));
    expect(streamed.error).toBeUndefined();
    // and when the run is canceled while all of them run
    const canceled = g.invoke(1, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 0));
    controller.abort();
    expect((await canceled)._unsafeUnwrapErr().code).toBe('task_canceled');
    await new Promise((r) => setTimeout(r, 20));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('emits no MaxListenersExceededWarning when nodes leave abort listeners behind', async () => {
    process.on('warning', onWarning);
    const leaky = (name: string) =>
      runnable(name, async (x: number, ctx) => {
        ctx.signal.addEventListener('abort', () => undefined); // never removed
        await Promise.resolve();
        return x + 1;
      });
    for (const workers of [1, 5, Infinity]) {
      const chain = createGraph<number, number>(withGraphMaxWorkers(workers))._unsafeUnwrap();
      for (let i = 0; i < 100; i++) {
        chain.addNode(`n${String(i)}`, leaky(`n${String(i)}`))._unsafeUnwrap();
        if (i > 0) chain.addEdge(`n${String(i - 1)}`, `n${String(i)}`)._unsafeUnwrap();
      }
      for (let run = 0; run < 3; run++) {
        expect((await chain.invoke(0))._unsafeUnwrap()).toBe(100);
        const signal = new AbortController().signal;
        expect((await chain.invoke(0, { signal }))._unsafeUnwrap()).toBe(100);
      }
    }
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
