/**
 * Graphs inside graphs: nested runs sharing one checkpoint store, and graphs that run themselves
 * (directly, through another graph, or from a node function) with a single worker.
 */
import { lastOutput, OrchestrationError, parallel, runnable, type Graph } from '@baton/core';
import { describe, expect, it } from 'vitest';
import {
  createGraph,
  withGraphCheckpointer,
  withGraphFailFast,
  withGraphMaxWorkers,
  withGraphName,
  withNodeTimeout,
} from '../src/index.js';
import { graphOf, RecordingStore } from './support.js';

/** The run's result; a run still going after `ms` (a deadlock) fails the test at once instead. */
async function within<T>(run: PromiseLike<T>, ms = 5_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the run did not settle in ${ms} ms: deadlock`)), ms);
  });
  try {
    return await Promise.race([run, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** Node names recorded under `runId`, sorted. */
const recorded = (store: RecordingStore, runId: string): string[] =>
  [...(store.nodes.get(runId)?.keys() ?? [])].sort();

describe('nested graphs sharing one checkpoint store', () => {
  /** outer: a -> sub (inner: i1 -> i2) -> b; `failing` names nodes that fail on their first call. */
  function build(store: RecordingStore, failing: ReadonlySet<string>) {
    const calls: string[] = [];
    const broken = new Set(failing);
    const node = (name: string, fn: (x: number) => number) =>
      runnable(name, (x: number) => {
        calls.push(name);
        if (broken.delete(name)) throw new OrchestrationError('execution_failed', `${name} broke`);
        return fn(x);
      });
    const inner = graphOf<number, number>(
      { i1: node('i1', (x) => x + 1), i2: node('i2', (x) => x * 10) },
      [['i1', 'i2']],
      withGraphName('inner'),
      withGraphCheckpointer(store),
    );
    const outer = graphOf<number, number>(
      { a: node('a', (x) => x + 2), sub: inner, b: node('b', (x) => x - 3) },
      [
        ['a', 'sub'],
        ['sub', 'b'],
      ],
      withGraphName('outer'),
      withGraphCheckpointer(store),
    );
    return { outer, calls };
  }

  it('keeps the outer run records to the outer nodes; the inner run has its own id', async () => {
    const store = new RecordingStore();
    const { outer } = build(store, new Set());
    expect((await outer.invoke(1, { runId: 'r1' }))._unsafeUnwrap()).toBe(37);
    expect(store.runs.get('r1')).toMatchObject({ graph: 'outer', status: 'succeeded' });
    expect(recorded(store, 'r1')).toEqual(['a', 'b', 'sub']);
    expect(store.runs.get('r1/sub')).toMatchObject({
      graph: 'inner',
      status: 'succeeded',
      input: 3,
    });
    expect(recorded(store, 'r1/sub')).toEqual(['i1', 'i2']);
  });

  it('resumes after a node that follows the inner graph failed, without running the inner graph again', async () => {
    const store = new RecordingStore();
    const { outer, calls } = build(store, new Set(['b']));
    expect((await outer.invoke(1, { runId: 'r2' }))._unsafeUnwrapErr().message).toContain(
      'b broke',
    );
    calls.length = 0;
    const handle = (await outer.resume('r2'))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe(37);
    expect(calls).toEqual(['b']);
    expect(store.runs.get('r2')).toMatchObject({ graph: 'outer', status: 'succeeded' });
    expect(recorded(store, 'r2')).toEqual(['a', 'b', 'sub']);
  });

  it('resumes the inner graph too when it failed halfway: its finished nodes are not run again', async () => {
    const store = new RecordingStore();
    const { outer, calls } = build(store, new Set(['i2']));
    expect((await outer.invoke(1, { runId: 'r3' }))._unsafeUnwrapErr().message).toContain(
      'i2 broke',
    );
    expect(recorded(store, 'r3')).toEqual(['a', 'sub']); // nothing of the inner graph
    calls.length = 0;
    const handle = (await outer.resume('r3'))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe(37);
    expect(calls).toEqual(['i2', 'b']);
    expect(store.runs.get('r3/sub')).toMatchObject({ graph: 'inner', status: 'succeeded' });
  });

  it('runs the inner graph afresh on resume when its input changed', async () => {
    const store = new RecordingStore();
    const calls: string[] = [];
    let pFails = true;
    let xFails = true;
    const inner = graphOf<unknown, string>(
      { echo: (v: unknown) => (calls.push('echo'), `got ${String(v)}`) },
      [],
      withGraphName('inner'),
      withGraphCheckpointer(store),
    );
    const outer = graphOf<number, string>(
      {
        p: () => {
          if (pFails) throw new OrchestrationError('execution_failed', 'p broke');
          return 'p-out';
        },
        sub: inner,
        x: () => {
          if (xFails) throw new OrchestrationError('execution_failed', 'x broke');
          return 'x-out';
        },
        z: (r: { sub: string; x: string }) => `${r.sub} and ${r.x}`,
      },
      [
        ['p', 'sub', false],
        ['sub', 'z'],
        ['x', 'z'],
      ],
      withGraphName('outer'),
      withGraphCheckpointer(store),
      withGraphFailFast(false), // "sub" runs although "x" failed
    );
    expect((await outer.invoke(0, { runId: 'r4' })).isErr()).toBe(true);
    expect(calls).toEqual(['echo']); // ran on `undefined`: p had failed
    pFails = false;
    xFails = false;
    const handle = (await outer.resume('r4'))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe('got p-out and x-out');
    expect(calls).toEqual(['echo', 'echo']);
  });

  it('gives two runs of one graph inside the same node their own ids', async () => {
    const store = new RecordingStore();
    const inner = graphOf<number, number>(
      { twice: (x: number) => x * 2 },
      [],
      withGraphName('inner'),
      withGraphCheckpointer(store),
    );
    const outer = createGraph<number, { l: number; r: number }>(
      withGraphName('outer'),
      withGraphCheckpointer(store),
    )._unsafeUnwrap();
    outer.addNode('both', parallel({ l: inner, r: inner }))._unsafeUnwrap();
    expect((await outer.invoke(4, { runId: 'r5' }))._unsafeUnwrap()).toEqual({ l: 8, r: 8 });
    expect([...store.runs.keys()].sort()).toEqual(['r5', 'r5/both', 'r5/both#2']);
    expect(recorded(store, 'r5')).toEqual(['both']);
  });
});

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

  it('from a node function passing its signal to invoke, stream or start', async () => {
    const viaInvoke = countdown((self) =>
      runnable('again', async (n: number, ctx) =>
        (await self.invoke(n, { signal: ctx.signal }))._unsafeUnwrap(),
      ),
    );
    expect((await within(viaInvoke.invoke(5)))._unsafeUnwrap()).toBe(4);
    const viaStream = countdown((self) =>
      runnable('again', async (n: number, ctx) =>
        (await lastOutput(self.stream(n, { signal: ctx.signal })))._unsafeUnwrap(),
      ),
    );
    expect((await within(viaStream.invoke(5)))._unsafeUnwrap()).toBe(4);
    const viaStart = countdown((self) =>
      runnable('again', async (n: number, ctx) => {
        const handle = self.start(n, { signal: ctx.signal })._unsafeUnwrap();
        return (await handle.result)._unsafeUnwrap();
      }),
    );
    expect((await within(viaStart.invoke(5)))._unsafeUnwrap()).toBe(4);
  });

  it('from a node function with a node timeout (its signal is a per-attempt one)', async () => {
    const g = createGraph<number, number>(withGraphMaxWorkers(1))._unsafeUnwrap();
    const again = runnable('again', async (n: number, ctx) =>
      n === 0 ? 0 : 1 + (await g.invoke(n - 1, { signal: ctx.signal }))._unsafeUnwrap(),
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
        n === 0 ? 0 : 1 + (await b.invoke(n - 1, { signal: ctx.signal }))._unsafeUnwrap(),
      ),
    )._unsafeUnwrap();
    b.addNode('callA', a)._unsafeUnwrap();
    expect((await within(a.invoke(4)))._unsafeUnwrap()).toBe(4);
  });

  it('through a graph with unbounded workers, started first', async () => {
    const calls = (other: () => Graph<number, number>) =>
      runnable('call', async (n: number, ctx) =>
        n === 0 ? 0 : 1 + (await other().invoke(n - 1, { signal: ctx.signal }))._unsafeUnwrap(),
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
