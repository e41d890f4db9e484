import { OrchestrationError, runnable } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { collect, deferred, graphOf, RecordingStore, summary, tick } from '../test/support.js';
import { withGraphCheckpointer, withGraphMaxWorkers, withGraphName } from './index.js';

describe('start() and the run handle', () => {
  it('reports status, progress and events, and resolves the result', async () => {
    const gate = deferred();
    const g = graphOf<number, number>(
      { a: async (x: number) => (await gate.promise, x + 1), b: (x: number) => x * 2 },
      [['a', 'b']],
    );
    const handle = g.start(1)._unsafeUnwrap();
    const events = collect(handle.events$);
    expect(handle.status()).toBe('pending');
    expect(handle.progress()).toEqual({
      total: 2,
      pending: 2,
      running: 0,
      succeeded: 0,
      failed: 0,
      skipped: 0,
    });
    await tick();
    expect(handle.status()).toBe('running');
    expect(handle.progress()).toMatchObject({ running: 1, pending: 1 });
    gate.resolve();
    expect((await handle.result)._unsafeUnwrap()).toBe(4);
    expect(handle.status()).toBe('succeeded');
    expect(handle.progress()).toMatchObject({ succeeded: 2, pending: 0, running: 0 });
    const { events: seen, error } = await events;
    expect(error).toBeUndefined();
    expect(summary(seen)).toEqual([
      'run-start',
      'step-start:a',
      'step-end:a',
      'step-start:b',
      'step-end:b',
      'run-end',
    ]);
    expect(seen.every((e) => e.runId === handle.runId)).toBe(true);
  });

  it('cancel() aborts running nodes; the events complete with the error as an event', async () => {
    let aborted = false;
    const g = graphOf(
      {
        a: runnable(
          'a',
          (_: unknown, ctx) =>
            new Promise(() => ctx.signal.addEventListener('abort', () => (aborted = true))),
        ),
      },
      [],
    );
    const handle = g.start(1, { runId: 'r-1' })._unsafeUnwrap();
    const events = collect(handle.events$);
    await tick();
    handle.cancel('user asked');
    const error = (await handle.result)._unsafeUnwrapErr();
    expect(error.code).toBe('task_canceled');
    expect(error.message).toContain('user asked');
    expect(aborted).toBe(true);
    expect(handle.status()).toBe('canceled');
    const { events: seen, error: streamError } = await events;
    expect(streamError).toBeUndefined();
    expect(summary(seen).at(-1)).toBe('step-error:graph');
  });

  it('reports failed for a failed run', async () => {
    const g = graphOf(
      {
        a: () => {
          throw new OrchestrationError('invalid_input', 'no', { retryable: false });
        },
      },
      [],
    );
    const handle = g.start(1)._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrapErr().code).toBe('invalid_input');
    expect(handle.status()).toBe('failed');
    expect(handle.progress()).toMatchObject({ failed: 1 });
  });

  it('pause() starts no new node until resume()', async () => {
    const gates = { a: deferred(), b: deferred() };
    const started: string[] = [];
    const node = (name: 'a' | 'b' | 'c') => async (x: unknown) => {
      started.push(name);
      if (name !== 'c') await gates[name].promise;
      return x;
    };
    const g = graphOf(
      { a: node('a'), b: node('b'), c: node('c') },
      [
        ['a', 'b'],
        ['a', 'c'],
      ],
      withGraphMaxWorkers(4),
    );
    const handle = g.start(1)._unsafeUnwrap();
    await tick();
    handle.pause();
    expect(handle.status()).toBe('paused');
    gates.a.resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual(['a']);
    expect(handle.progress()).toMatchObject({ succeeded: 1, running: 0, pending: 2 });
    handle.resume();
    expect(handle.status()).toBe('running');
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
    gates.b.resolve();
    expect((await handle.result).isOk()).toBe(true);
  });

  it('a pause before the run starts applies once it does', async () => {
    const g = graphOf({ a: (x: unknown) => x }, []);
    const handle = g.start(1)._unsafeUnwrap();
    handle.pause();
    await new Promise((r) => setTimeout(r, 10));
    expect(handle.progress().succeeded).toBe(0);
    handle.resume();
    expect((await handle.result)._unsafeUnwrap()).toBe(1);
  });

  it('rejects an invalid graph or options at start', () => {
    const cyclic = graphOf({ a: (x: unknown) => x, b: (x: unknown) => x }, [
      ['a', 'b'],
      ['b', 'a'],
    ]);
    expect(cyclic.start(1)._unsafeUnwrapErr().details.reason).toBe('cycle');
    const g = graphOf({ a: (x: unknown) => x }, []);
    expect(g.start(1, { timeoutMs: -1 })._unsafeUnwrapErr().code).toBe('invalid_config');
  });

  it('reads timeoutMs 0 as no timeout in start, invoke and stream', async () => {
    const g = graphOf<number, number>(
      { a: async (x: number) => (await new Promise((r) => setTimeout(r, 10)), x + 1) },
      [],
    );
    expect((await g.start(1, { timeoutMs: 0 })._unsafeUnwrap().result)._unsafeUnwrap()).toBe(2);
    expect((await g.invoke(1, { timeoutMs: 0 }))._unsafeUnwrap()).toBe(2);
    const { events } = await collect(g.stream(1, { timeoutMs: 0 }));
    expect(events.at(-1)).toMatchObject({ type: 'run-end', output: 2 });
  });

  it('honours timeoutMs and an external signal', async () => {
    const g = graphOf({ a: runnable('a', () => new Promise(() => undefined)) }, []);
    expect(
      (await g.start(1, { timeoutMs: 20 })._unsafeUnwrap().result)._unsafeUnwrapErr().code,
    ).toBe('timeout');
    const controller = new AbortController();
    const handle = g.start(1, { signal: controller.signal })._unsafeUnwrap();
    controller.abort();
    expect((await handle.result)._unsafeUnwrapErr().code).toBe('task_canceled');
  });
});

describe('checkpoints and resume', () => {
  it('writes a node record before its dependents start, and the run record at start and end', async () => {
    const store = new RecordingStore();
    const seenAtStart: string[][] = [];
    const g = graphOf<number, number>(
      {
        a: (x: number) => x + 1,
        b: (x: number) => (seenAtStart.push([...store.log]), x * 2),
      },
      [['a', 'b']],
      withGraphCheckpointer(store),
      withGraphName('durable'),
    );
    expect((await g.invoke(1, { runId: 'run-a' }))._unsafeUnwrap()).toBe(4);
    expect(seenAtStart).toEqual([['run:running', 'node:a:succeeded']]);
    expect(store.log).toEqual([
      'run:running',
      'node:a:succeeded',
      'node:b:succeeded',
      'run:succeeded',
    ]);
    expect(store.runs.get('run-a')).toMatchObject({
      graph: 'durable',
      status: 'succeeded',
      input: 1,
    });
    expect(store.nodes.get('run-a')?.get('a')).toMatchObject({
      status: 'succeeded',
      output: 2,
      attempts: 1,
    });
  });

  it('records failed and skipped nodes, and the final status', async () => {
    const store = new RecordingStore();
    const g = graphOf(
      {
        a: () => {
          throw new OrchestrationError('invalid_input', 'no', { retryable: false });
        },
        b: (x: unknown) => x,
      },
      [['a', 'b']],
      withGraphCheckpointer(store),
    );
    await g.invoke(1, { runId: 'r' });
    expect(store.log).toEqual(['run:running', 'node:a:failed', 'run:failed']);
    expect(store.nodes.get('r')?.get('a')?.error).toEqual({ code: 'invalid_input', message: 'no' });
  });

  it('resumes a failed run without running the nodes that succeeded', async () => {
    const store = new RecordingStore();
    const calls: string[] = [];
    const build = (cWorks: boolean) => {
      const g = graphOf<number>(
        {
          a: (x: number) => (calls.push('a'), x + 1),
          b: (x: number) => (calls.push('b'), x * 10),
          c: (x: number) => {
            calls.push('c');
            if (!cWorks)
              throw new OrchestrationError('execution_failed', 'crashed', { retryable: false });
            return x - 1;
          },
          d: (r: Record<string, number>) => (calls.push('d'), { ...r }),
        },
        [
          ['a', 'b'],
          ['a', 'c'],
          ['b', 'd'],
          ['c', 'd'],
        ],
        withGraphCheckpointer(store),
        withGraphName('resumable'),
      );
      g.addNode(
        'e',
        runnable('e', (r: unknown) => (calls.push('e'), r)),
      )._unsafeUnwrap();
      g.addConditionalEdges('d', () => 'e', ['e'])._unsafeUnwrap();
      return g;
    };
    const first = await build(false).invoke(5, { runId: 'crashy' });
    expect(first.isErr()).toBe(true);
    expect(calls.sort()).toEqual(['a', 'b', 'c']);
    calls.length = 0;
    const handle = (await build(true).resume('crashy'))._unsafeUnwrap();
    const events = collect(handle.events$);
    expect((await handle.result)._unsafeUnwrap()).toEqual({ b: 60, c: 5 });
    expect(calls).toEqual(['c', 'd', 'e']);
    expect(summary((await events).events)).toContain('step-end:a');
    expect(store.runs.get('crashy')?.status).toBe('succeeded');
  });

  it('re-runs a node that ran without the output of an optional parent that failed', async () => {
    const store = new RecordingStore();
    const calls: string[] = [];
    const build = (works: boolean) =>
      graphOf<number>(
        {
          a: (x: number) => {
            calls.push('a');
            if (!works)
              throw new OrchestrationError('execution_failed', 'a down', { retryable: false });
            return x + 1;
          },
          b: (x: number) => (calls.push('b'), x * 10),
          c: (parents: Record<string, number>) => (calls.push('c'), { ...parents }),
          d: async (x: number) => {
            calls.push('d');
            await new Promise((resolve) => setTimeout(resolve, 30)); // c finishes first
            if (!works)
              throw new OrchestrationError('execution_failed', 'd down', { retryable: false });
            return x;
          },
          out: (r: Record<string, unknown>) => r,
        },
        [
          ['a', 'c', false],
          ['b', 'c'],
          ['c', 'out'],
          ['d', 'out'],
        ],
        withGraphCheckpointer(store),
        withGraphName('optional-resume'),
      );
    const first = await build(false).invoke(1, { runId: 'opt' });
    expect(first.isErr()).toBe(true);
    expect(store.nodes.get('opt')?.get('c')?.output).toEqual({ b: 10 });
    calls.length = 0;
    const handle = (await build(true).resume('opt'))._unsafeUnwrap();
    // c first ran with only { b }; now that a succeeds it must see { a, b }, as a clean run would.
    expect((await handle.result)._unsafeUnwrap()).toEqual({ c: { a: 2, b: 10 }, d: 1 });
    expect(calls.sort()).toEqual(['a', 'c', 'd']);
  });

  it('re-runs the router of a restored node on its stored output', async () => {
    const store = new RecordingStore();
    const build = (routerCalls: string[]) => {
      const g = graphOf<number>(
        { r: (x: number) => x, small: (x: number) => `small ${x}`, big: (x: number) => `big ${x}` },
        [],
        withGraphCheckpointer(store),
      );
      g.addConditionalEdges(
        'r',
        async (x: number) => (routerCalls.push('route'), x > 3 ? 'big' : 'small'),
        ['small', 'big'],
      )._unsafeUnwrap();
      return g;
    };
    await build([]).invoke(9, { runId: 'routed' });
    store.nodes.get('routed')?.delete('big'); // as if the process died before "big" finished
    const routerCalls: string[] = [];
    const handle = (await build(routerCalls).resume('routed'))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toEqual({ big: 'big 9' });
    expect(routerCalls).toEqual(['route']);
  });

  it('fails the node when its checkpoint cannot be written', async () => {
    const store = new RecordingStore();
    store.failNodeWrites = true;
    const g = graphOf({ a: (x: unknown) => x }, [], withGraphCheckpointer(store));
    const error = (await g.invoke(1))._unsafeUnwrapErr();
    expect(error.message).toContain('disk full');
  });

  it('rejects resume without a checkpointer, for an unknown run, or for another graph', async () => {
    const plain = graphOf({ a: (x: unknown) => x }, []);
    expect((await plain.resume('x'))._unsafeUnwrapErr().details.reason).toBe('no-checkpointer');
    const store = new RecordingStore();
    const g = graphOf(
      { a: (x: unknown) => x },
      [],
      withGraphCheckpointer(store),
      withGraphName('one'),
    );
    expect((await g.resume('nope'))._unsafeUnwrapErr().code).toBe('not_found');
    await g.invoke(1, { runId: 'mine' });
    const other = graphOf(
      { a: (x: unknown) => x },
      [],
      withGraphCheckpointer(store),
      withGraphName('two'),
    );
    expect((await other.resume('mine'))._unsafeUnwrapErr().details.reason).toBe(
      'checkpoint-mismatch',
    );
    const changed = graphOf(
      { z: (x: unknown) => x },
      [],
      withGraphCheckpointer(store),
      withGraphName('one'),
    );
    expect((await changed.resume('mine'))._unsafeUnwrapErr().message).toContain('"a"');
  });

  it('the health check includes the checkpoint store', async () => {
    const g = graphOf({ a: (x: unknown) => x }, [], withGraphCheckpointer(new RecordingStore()));
    const report = await g.check();
    expect(report.status).toBe('healthy');
    expect(report.checks.map((c) => c.component)).toEqual(['recording-store']);
  });
});
