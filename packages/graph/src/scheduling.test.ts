import { runnable } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { deferred, graphOf, tick } from '../test/support.js';
import {
  createGraph,
  withGraphMaxWorkers,
  withGraphParallelExecution,
  withGraphQueueSize,
  withNodePriority,
} from './index.js';

/** Tracks how many nodes run at once and the order they start. */
function tracker() {
  let running = 0;
  let max = 0;
  const started: string[] = [];
  const node = (name: string, work: () => Promise<unknown> = tick) =>
    runnable(name, async (x: unknown) => {
      started.push(name);
      running++;
      max = Math.max(max, running);
      try {
        await work();
        return x;
      } finally {
        running--;
      }
    });
  return { node, started, max: () => max };
}

describe('scheduling', () => {
  it('starts a node as soon as its own dependencies are done (no supersteps)', async () => {
    const slow = deferred();
    const bRan = deferred();
    const order: string[] = [];
    const g = graphOf(
      {
        a: async (x: unknown) => x,
        b: async (x: unknown) => (order.push('b'), bRan.resolve(), x),
        slow: async (x: unknown) => (await slow.promise, order.push('slow'), x),
      },
      [['a', 'b']],
    );
    const run = g.invoke(1);
    await bRan.promise; // b runs while the other branch is still busy (it never resolves before)
    expect(order).toEqual(['b']);
    slow.resolve();
    expect((await run).isOk()).toBe(true);
    expect(order).toEqual(['b', 'slow']);
  });

  it('never runs more than maxWorkers nodes at once', async () => {
    const t = tracker();
    const g = createGraph(withGraphMaxWorkers(3))._unsafeUnwrap();
    for (let i = 0; i < 20; i++) g.addNode(`n${i}`, t.node(`n${i}`))._unsafeUnwrap();
    expect((await g.invoke(0)).isOk()).toBe(true);
    expect(t.started).toHaveLength(20);
    expect(t.max()).toBe(3);
  });

  it('runs at most 5 nodes at once by default', async () => {
    const t = tracker();
    const g = createGraph()._unsafeUnwrap();
    for (let i = 0; i < 20; i++) g.addNode(`n${i}`, t.node(`n${i}`))._unsafeUnwrap();
    expect((await g.invoke(0)).isOk()).toBe(true);
    expect(t.started).toHaveLength(20);
    expect(t.max()).toBe(5);
  });

  it('shares its workers between concurrent runs of the same graph', async () => {
    const t = tracker();
    const g = createGraph(withGraphMaxWorkers(2))._unsafeUnwrap();
    for (const n of ['a', 'b', 'c']) g.addNode(n, t.node(n))._unsafeUnwrap();
    const results = await Promise.all([g.invoke(1), g.invoke(2), g.invoke(3)]);
    expect(results.every((r) => r.isOk())).toBe(true);
    expect(t.max()).toBe(2);
  });

  it('starts lower priority values first when workers are saturated, ties in order', async () => {
    const t = tracker();
    const g = createGraph(withGraphMaxWorkers(1))._unsafeUnwrap();
    g.addNode('gate', t.node('gate'))._unsafeUnwrap();
    const priorities: Record<string, number> = {
      low: 3,
      urgent: 0,
      normal: 2,
      high: 1,
      urgent2: 0,
      default: 2,
    };
    for (const [name, p] of Object.entries(priorities)) {
      g.addNode(
        name,
        t.node(name),
        ...(name === 'default' ? [] : [withNodePriority(p)]),
      )._unsafeUnwrap();
      g.addEdge('gate', name)._unsafeUnwrap();
    }
    expect((await g.invoke(0)).isOk()).toBe(true);
    expect(t.started).toEqual(['gate', 'urgent', 'urgent2', 'high', 'normal', 'default', 'low']);
  });

  it('withGraphParallelExecution(false) runs one node at a time in topological order', async () => {
    const t = tracker();
    const g = createGraph(
      withGraphParallelExecution(false),
      withGraphMaxWorkers(10),
    )._unsafeUnwrap();
    for (const n of ['d', 'a', 'c', 'b'])
      g.addNode(n, t.node(n), withNodePriority(n === 'b' ? 0 : 3))._unsafeUnwrap();
    g.addEdge('a', 'b')._unsafeUnwrap();
    g.addEdge('d', 'c')._unsafeUnwrap();
    expect((await g.invoke(0)).isOk()).toBe(true);
    expect(t.max()).toBe(1);
    // Kahn's order over declaration order: sources d, a; then c (child of d), b (child of a).
    expect(t.started).toEqual(['d', 'a', 'c', 'b']);
  });

  it('fails runs beyond the queue size at once with resource_exhausted', async () => {
    const gate = deferred();
    const g = createGraph(withGraphMaxWorkers(1), withGraphQueueSize(1))._unsafeUnwrap();
    g.addNode(
      'work',
      runnable('work', async (x: number) => (await gate.promise, x)),
    )._unsafeUnwrap();
    const first = g.invoke(1); // takes the only worker
    const second = g.invoke(2); // waits in the queue
    const third = await g.invoke(3); // beyond the queue: fails without waiting
    const error = third._unsafeUnwrapErr();
    expect(error.code).toBe('resource_exhausted');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('withGraphQueueSize(1)');
    gate.resolve();
    expect((await first)._unsafeUnwrap()).toBe(1);
    expect((await second)._unsafeUnwrap()).toBe(2);
    expect((await g.invoke(4))._unsafeUnwrap()).toBe(4); // capacity is back
  });

  it('queue size 0 admits no waiting run, while runs with a free worker are fine', async () => {
    const gate = deferred();
    const g = createGraph(withGraphMaxWorkers(1), withGraphQueueSize(0))._unsafeUnwrap();
    g.addNode(
      'work',
      runnable('work', async (x: number) => (await gate.promise, x)),
    )._unsafeUnwrap();
    const first = g.invoke(1);
    expect((await g.invoke(2))._unsafeUnwrapErr().code).toBe('resource_exhausted');
    gate.resolve();
    expect((await first).isOk()).toBe(true);
  });

  it('handles a 100,000-node chain without deep recursion', async () => {
    const g = createGraph<number, number>(withGraphMaxWorkers(Infinity))._unsafeUnwrap();
    const inc = runnable('inc', (x: number) => x + 1);
    const n = 100_000;
    for (let i = 0; i < n; i++) g.addNode(`n${i}`, inc)._unsafeUnwrap();
    for (let i = 1; i < n; i++) g.addEdge(`n${i - 1}`, `n${i}`)._unsafeUnwrap();
    expect((await g.invoke(0))._unsafeUnwrap()).toBe(n);
  }, 60_000);

  it('skips a 100,000-node chain after a router without deep recursion', async () => {
    const g = createGraph<number>()._unsafeUnwrap();
    const id = runnable('id', (x: number) => x);
    const n = 100_000;
    g.addNode('start', id)._unsafeUnwrap();
    g.addNode('other', id)._unsafeUnwrap();
    for (let i = 0; i < n; i++) g.addNode(`n${i}`, id)._unsafeUnwrap();
    for (let i = 1; i < n; i++) g.addEdge(`n${i - 1}`, `n${i}`)._unsafeUnwrap();
    g.addConditionalEdges('start', () => 'other', ['other', 'n0'])._unsafeUnwrap();
    expect((await g.invoke(1))._unsafeUnwrap()).toEqual({ other: 1 });
  }, 60_000);
});
