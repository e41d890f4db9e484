import { describe, expect, it } from 'vitest';
import { checkGraph, type GraphTask } from './check-graph.js';

/** Tasks `t0..tn-1` where each depends on the ones `deps(i)` gives, all required. */
function tasks(n: number, deps: (i: number) => number[], never: number[] = []): GraphTask[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    neverRuns: never.includes(i),
    dependencies: deps(i).map((task, entry) => ({ task, required: true, entry })),
  }));
}

describe('checkGraph', () => {
  it('names each cycle once, from its first task, by a shortest way back', () => {
    // t0 depends on t2, t2 on t1, t1 on t0 and t2; t3 on itself.
    const problems = checkGraph(tasks(4, (i) => [[2], [0, 2], [1], [3]][i] as number[]));
    expect(problems).toEqual([
      { task: 0, entry: 0, kind: 'cycle', message: 'dependency cycle: t0 -> t2 -> t1 -> t0' },
      { task: 3, entry: 0, kind: 'cycle', message: 'dependency cycle: t3 -> t3' },
    ]);
  });

  it('reports what waits on a cycle and what requires a task that never runs', () => {
    const graph = tasks(6, (i) => [[1], [0], [1], [], [3], [4]][i] as number[], [3]);
    expect(checkGraph(graph).map((p) => p.message)).toEqual([
      'dependency cycle: t0 -> t1 -> t0',
      'task "t3" never runs: its condition is always false',
      'task "t2" never runs: it waits for "t1", which is in a dependency cycle',
      'task "t4" never runs: it requires "t3", which never runs',
      'task "t5" never runs: it requires "t4", which never runs',
    ]);
  });

  it('handles a 100,000-task chain ending in a cycle without recursion', () => {
    const n = 100_000;
    const problems = checkGraph(tasks(n, (i) => (i === 0 ? [n - 1] : [i - 1])));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toBe(
      'dependency cycle: t0 -> t99999 -> t99998 -> t99997 -> t99996 -> ... (100000 tasks) ... -> t4 -> t3 -> t2 -> t1 -> t0',
    );
    expect(checkGraph(tasks(n, (i) => (i === 0 ? [] : [i - 1])))).toEqual([]);
  });
});
