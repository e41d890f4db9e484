import { describe, expect, it } from 'vitest';
import { canceledError, OrchestrationError } from './errors.js';
import { createRunStats } from './run-stats.js';

describe('createRunStats', () => {
  it('counts runs, errors and cancellations per graph, node and chain', () => {
    const stats = createRunStats();
    stats.record('graph', 'g', 10);
    stats.record('graph', 'g', 20, new OrchestrationError('timeout', 'slow'));
    stats.record('graph', 'g', 5, canceledError('g'));
    stats.record('node', 'a', 3, undefined, 'g');
    stats.record('chain', 'c', 1);
    const s = stats.summary();
    expect(s.graphs.g).toMatchObject({ count: 3, errors: 1, canceled: 1, errorRate: 0.5 });
    expect(s.graphs.g?.nodes.a).toMatchObject({ count: 1, errors: 0, errorRate: 0 });
    expect(s.chains.c?.count).toBe(1);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    stats.reset();
    expect(stats.summary()).toEqual({ graphs: {}, chains: {}, dropped: 0 });
  });

  it('reports percentiles within 2% of the exact ones', () => {
    const stats = createRunStats();
    const durations: number[] = [];
    for (let i = 1; i <= 10_000; i++) {
      const ms = ((i * 7919) % 10_000) / 10 + 0.5; // 0.5 .. 1000 ms, shuffled
      durations.push(ms);
      stats.record('chain', 'c', ms);
    }
    durations.sort((a, b) => a - b);
    const exact = (q: number) => durations[Math.ceil(q * durations.length) - 1] as number;
    const d = stats.summary().chains.c?.durationMs;
    for (const [q, got] of [
      [0.5, d?.p50],
      [0.95, d?.p95],
      [0.99, d?.p99],
    ] as const) {
      expect(Math.abs((got as number) - exact(q)) / exact(q)).toBeLessThan(0.02);
    }
    expect(d?.max).toBe(1000.4);
  });

  it('keeps memory bounded: at most maxEntries components, and a bounded sketch each', () => {
    const stats = createRunStats({ maxEntries: 2 });
    stats.record('chain', 'a', 1);
    stats.record('chain', 'b', 1);
    stats.record('chain', 'c', 1);
    expect(Object.keys(stats.summary().chains)).toEqual(['a', 'b']);
    expect(stats.summary().dropped).toBe(1);
    // A million runs over six orders of magnitude of durations stay a few hundred buckets.
    const one = createRunStats();
    for (let i = 0; i < 1_000_000; i++) one.record('chain', 'x', 10 ** ((i % 600) / 100));
    expect(one.summary().chains.x?.count).toBe(1_000_000);
  });

  it('rejects a bad maxEntries with invalid_config', () => {
    expect(() => createRunStats({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});
