/**
 * Graphs inside graphs: graphs that run themselves (directly, through another graph, or from a
 * node function) with a single worker, and the workers nested runs use. Checkpoints of nested
 * runs: nested-checkpoints.test.ts.
 */
import { lastOutput, OrchestrationError, parallel, runnable, type Graph } from '@baton/core';
import { trackTimers } from '@baton/test-support';
import type { Result } from 'neverthrow';
import { tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  createGraph,
  withGraphMaxWorkers,
  withGraphName,
  withGraphTimeout,
  withNodeTimeout,
} from '../src/index.js';
import { deferred, graphOf, tick, within } from './support.js';

describe('a graph that runs itself', () => {
  /**
   * countdown: step (n - 1) routes to `again` (this graph, on n - 1) while n > 0, else to `done`;
   * `result` counts the levels.
   */
  function countdown(again: (g: Graph<number, number>) => Parameters<Graph['addNode']>[1]) {
    const g = createGraph<number, number>(
      withGraphName('countdown'),
      withGraphMaxWorkers(1),
    )._unsafeUnwrap();
    g.addNode(
      'step',
      runnable('step', (n: number) => n - 1),
    )._unsafeUnwrap();
    g.addNode('again', again(g))._unsafeUnwrap();
    g.addNode(
      'done',
      runnable('done', () => 0),
    )._unsafeUnwrap();
    g.addNode(
      'result',
      runnable('result', (r: { again?: number; done?: number }) =>
        r.again === undefined ? 0 : r.again + 1,
      ),
    )._unsafeUnwrap();
    g.addConditionalEdges('step', (n: number) => (n > 0 ? 'again' : 'done'), [
      'again',
      'done',
    ])._unsafeUnwrap();
    g.addEdge('again', 'result', { required: false })._unsafeUnwrap();
    g.addEdge('done', 'result', { required: false })._unsafeUnwrap();
    return g;
  }

  it('as one of its own nodes, with one worker', async () => {
    const g = countdown((self) => self);
    expect((await within(g.invoke(5)))._unsafeUnwrap()).toBe(4);
    expect((await within(lastOutput(g.stream(3))))._unsafeUnwrap()).toBe(2);
  });

  it('from a node function passing its ctx as parent to invoke, stream or start', async () => {
    const viaInvoke = countdown((self) =>
      runnable('again', async (n: number, ctx) =>
        (await self.invoke(n, { parent: ctx }))._unsafeUnwrap(),
      ),
    );
    expect((await within(viaInvoke.invoke(5)))._unsafeUnwrap()).toBe(4);
    const viaStream = countdown((self) =>
      runnable('again', async (n: number, ctx) =>
        (await lastOutput(self.stream(n, { parent: ctx })))._unsafeUnwrap(),
      ),
    );
    expect((await within(viaStream.invoke(5)))._unsafeUnwrap()).toBe(4);
    const viaStart = countdown((self) =>
      runnable('again', async (n: number, ctx) => {
        const handle = self.start(n, { parent: ctx })._unsafeUnwrap();
        return (await handle.result)._unsafeUnwrap();
      }),
    );
    expect((await within(viaStart.invoke(5)))._unsafeUnwrap()).toBe(4);
    const withOptions = countdown((self) =>
      runnable('again', async (n: number, ctx) => {
        const options = { parent: ctx, timeoutMs: 5_000, runId: `level-${n}` };
        const invoked = (await self.invoke(n, options))._unsafeUnwrap();
        const streamed = (await lastOutput(self.stream(n, options)))._unsafeUnwrap();
        expect(streamed).toBe(invoked);
        return invoked;
      }),
    );
    expect((await within(withOptions.invoke(3)))._unsafeUnwrap()).toBe(2);
  });

  it('from a node function streaming it, when the subscriber starts another run of it on run-start', async () => {
    const others: PromiseLike<Result<number, OrchestrationError>>[] = [];
    const g: Graph<number, number> = createGraph<number, number>(
      withGraphMaxWorkers(1),
    )._unsafeUnwrap();
    const again = runnable('again', (n: number, ctx) =>
      n === 0
        ? 0
        : new Promise<number>((resolve, reject) => {
            g.stream(n - 1, { parent: ctx }).subscribe({
              next: (event) => {
                // An unrelated top-level run, started before the streamed one.
                if (event.type === 'run-start') others.push(g.invoke(0));
                if (event.type === 'run-end') resolve(event.output + 1);
              },
              error: reject,
            });
          }),
    );
    g.addNode('again', again)._unsafeUnwrap();
    expect((await within(g.invoke(2)))._unsafeUnwrap()).toBe(2);
    expect((await within(Promise.all(others))).map((r) => r._unsafeUnwrap())).toEqual([0, 0]);
  });

  it('from a node function whose call fails validation: the next run of the graph is not nested', async () => {
    let active = 0;
    let most = 0;
    const g = createGraph<string, string>(withGraphMaxWorkers(1))._unsafeUnwrap();
    const node = runnable('n', async (mode: string, ctx) => {
      most = Math.max(most, ++active);
      try {
        if (mode === 'bad') {
          const invoked = await g.invoke('x', { parent: ctx, timeoutMs: -1 });
          expect(invoked._unsafeUnwrapErr().code).toBe('invalid_config');
          const streamed = await lastOutput(g.stream('x', { parent: ctx, timeoutMs: Number.NaN }));
          expect(streamed._unsafeUnwrapErr().code).toBe('invalid_config');
        }
        await tick();
        return mode;
      } finally {
        active--;
      }
    });
    g.addNode('n', node)._unsafeUnwrap();
    expect((await within(g.invoke('bad')))._unsafeUnwrap()).toBe('bad');
    most = 0;
    // Had a call above left its enclosing run behind, one of these would run on level-1 workers.
    const both = await within(Promise.all([g.invoke('a'), g.invoke('b')]));
    expect(both.map((r) => r._unsafeUnwrap())).toEqual(['a', 'b']);
    expect(most).toBe(1);
  });

  it('canceled while a nested run waits for level-1 workers: ends at once, no timer left, workers freed', async () => {
    const timers = trackTimers();
    try {
      const started: number[] = [];
      const stuck = deferred();
      const g = createGraph<number>(
        withGraphName('fan'),
        withGraphMaxWorkers(1),
        withGraphTimeout(60_000),
      )._unsafeUnwrap();
      const step = runnable('step', async (n: number) => {
        started.push(n);
        if (n === 1) await stuck.promise;
        return n - 1;
      });
      g.addNode('step', step)._unsafeUnwrap();
      g.addNode('again', parallel({ l: g, r: g }))._unsafeUnwrap();
      g.addNode(
        'done',
        runnable('done', () => 0),
      )._unsafeUnwrap();
      g.addConditionalEdges('step', (n: number) => (n > 0 ? 'again' : 'done'), [
        'again',
        'done',
      ])._unsafeUnwrap();
      const controller = new AbortController();
      const run = g.invoke(2, { signal: controller.signal });
      while (started.length < 2) await tick();
      // Level 0: "again" holds the worker; level 1: "l" runs "step", "r" waits for the worker.
      expect((await g.check()).details).toMatchObject({ runningNodes: 2, waitingRuns: 1 });
      controller.abort();
      expect((await within(run))._unsafeUnwrapErr().code).toBe('task_canceled');
      expect((await g.check()).details).toMatchObject({ runningNodes: 0, waitingRuns: 0 });
      expect(timers.pending()).toBe(0);
      stuck.resolve();
      expect((await within(g.invoke(2)))._unsafeUnwrap()).toEqual({
        again: { l: { done: 0 }, r: { done: 0 } },
      });
      expect(timers.pending()).toBe(0);
    } finally {
      timers.restore();
    }
  });

  it('from a node function with a node timeout (its signal is a per-attempt one)', async () => {
    const g = createGraph<number, number>(withGraphMaxWorkers(1))._unsafeUnwrap();
    const again = runnable('again', async (n: number, ctx) =>
      n === 0 ? 0 : 1 + (await g.invoke(n - 1, { parent: ctx }))._unsafeUnwrap(),
    );
    g.addNode('again', again, withNodeTimeout(5_000))._unsafeUnwrap();
    expect((await within(g.invoke(3)))._unsafeUnwrap()).toBe(3);
  });

  it('through another graph: A runs B, whose node runs A again', async () => {
    const a = createGraph<number, number>(
      withGraphName('A'),
      withGraphMaxWorkers(1),
    )._unsafeUnwrap();
    const b = createGraph<number, number>(
      withGraphName('B'),
      withGraphMaxWorkers(1),
    )._unsafeUnwrap();
    a.addNode(
      'callB',
      runnable('callB', async (n: number, ctx) =>
        n === 0 ? 0 : 1 + (await b.invoke(n - 1, { parent: ctx }))._unsafeUnwrap(),
      ),
    )._unsafeUnwrap();
    b.addNode('callA', a)._unsafeUnwrap();
    expect((await within(a.invoke(4)))._unsafeUnwrap()).toBe(4);
  });

  it('through a graph with unbounded workers, started first', async () => {
    const calls = (other: () => Graph<number, number>) =>
      runnable('call', async (n: number, ctx) =>
        n === 0 ? 0 : 1 + (await other().invoke(n - 1, { parent: ctx }))._unsafeUnwrap(),
      );
    const bounded: Graph<number, number> = createGraph<number, number>(
      withGraphName('bounded'),
      withGraphMaxWorkers(1),
    )._unsafeUnwrap();
    const unbounded = createGraph<number, number>(
      withGraphName('unbounded'),
      withGraphMaxWorkers(Infinity),
    )._unsafeUnwrap();
    bounded
      .addNode(
        'call',
        calls(() => unbounded),
      )
      ._unsafeUnwrap();
    unbounded
      .addNode(
        'call',
        calls(() => bounded),
      )
      ._unsafeUnwrap();
    expect((await within(unbounded.invoke(6)))._unsafeUnwrap()).toBe(6);
  });

  it('without an end fails with resource_exhausted instead of recursing forever', async () => {
    const g = createGraph<number, number>(
      withGraphName('forever'),
      withGraphMaxWorkers(1),
    )._unsafeUnwrap();
    g.addNode(
      'inc',
      runnable('inc', (n: number) => n + 1),
    )._unsafeUnwrap();
    g.addNode('self', g)._unsafeUnwrap();
    g.addEdge('inc', 'self')._unsafeUnwrap();
    const error = (await within(g.invoke(0)))._unsafeUnwrapErr();
    expect(error.code).toBe('resource_exhausted');
    let root: unknown = error;
    while (root instanceof Error && root.cause !== undefined) root = root.cause;
    expect(root).toMatchObject({
      code: 'resource_exhausted',
      retryable: false,
      details: { reason: 'nesting-too-deep', depth: 101, limit: 100 },
    });
  });
});

describe('a graph called from a node function with { parent: ctx }', () => {
  it('is canceled with the outer run, and streams its events with paths from its own nodes', async () => {
    const started = deferred();
    let innerSignal: AbortSignal | undefined;
    const inner = createGraph<number, number>(withGraphName('inner'))._unsafeUnwrap();
    inner
      .addNode(
        'wait',
        runnable('wait', (_: number, ctx) => {
          innerSignal = ctx.signal;
          started.resolve();
          return new Promise<number>(() => undefined);
        }),
      )
      ._unsafeUnwrap();
    const outer = createGraph<number, number>(withGraphName('outer'))._unsafeUnwrap();
    outer
      .addNode(
        'call',
        runnable('call', async (n: number, ctx) =>
          (await inner.invoke(n, { parent: ctx }))._unsafeUnwrap(),
        ),
      )
      ._unsafeUnwrap();
    const controller = new AbortController();
    const run = outer.invoke(1, { signal: controller.signal });
    await within(started.promise);
    controller.abort();
    expect((await within(run))._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(innerSignal?.aborted).toBe(true);

    const paths: string[] = [];
    const streaming = createGraph<number, number>()._unsafeUnwrap();
    const double = graphOf<number, number>({ double: (x: number) => x * 2 }, []);
    streaming
      .addNode(
        'call',
        runnable('call', (n: number, ctx) =>
          lastOutput(
            double.stream(n, { parent: ctx }).pipe(
              tap((e) => {
                if ('path' in e) paths.push(`${e.type}:${e.path.join('/')}`);
              }),
            ),
          ),
        ),
      )
      ._unsafeUnwrap();
    expect((await within(streaming.invoke(2)))._unsafeUnwrap()).toBe(4);
    expect(paths).toEqual(['step-start:double', 'step-end:double']);
  });
});

describe('a graph nested in another graph (no recursion)', () => {
  it('shares its workers with its own top-level runs', async () => {
    let active = 0;
    let most = 0;
    const busy = (name: string) =>
      runnable(name, async (x: number) => {
        most = Math.max(most, ++active);
        await new Promise((resolve) => setImmediate(resolve));
        active--;
        return x;
      });
    const inner = graphOf<number, Record<string, number>>(
      { p: busy('p'), q: busy('q') },
      [],
      withGraphName('inner'),
      withGraphMaxWorkers(1),
    );
    const outer = graphOf<number>({ s1: inner, s2: inner }, [], withGraphName('outer'));
    const [nested, top] = await within(Promise.all([outer.invoke(1), inner.invoke(2)]));
    expect(nested._unsafeUnwrap()).toEqual({ s1: { p: 1, q: 1 }, s2: { p: 1, q: 1 } });
    expect(top._unsafeUnwrap()).toEqual({ p: 2, q: 2 });
    expect(most).toBe(1);
  });
});
