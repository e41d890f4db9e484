import { describe, expect, it } from 'vitest';
import { createScheduleGraph, OPTIONAL, REQUIRED } from './schedule-graph.js';
import { staleRecords } from './stale-records.js';

// a -> b -> d, c -. optional .-> d
const graph = createScheduleGraph({
  names: ['a', 'b', 'c', 'd'],
  edges: [
    { from: 0, to: 1, kind: REQUIRED },
    { from: 1, to: 3, kind: REQUIRED },
    { from: 2, to: 3, kind: OPTIONAL },
  ],
})._unsafeUnwrap();

describe('staleRecords', () => {
  it('reuses every record whose parents are reused', () => {
    const succeeded = new Set([0, 1, 2, 3]);
    expect(staleRecords(graph, succeeded, new Set())).toEqual([]);
    expect([...succeeded]).toEqual([0, 1, 2, 3]);
  });

  it('drops a node whose optional parent failed (it runs again), and cascades', () => {
    const succeeded = new Set([0, 1, 3]);
    expect(staleRecords(graph, succeeded, new Set())).toEqual([3]);
    expect([...succeeded]).toEqual([0, 1]);
    const fresh = new Set([1, 3]);
    expect(staleRecords(graph, fresh, new Set([2]))).toEqual([1, 3]);
  });

  it('keeps a skip whose parents are reused or skipped again', () => {
    expect(staleRecords(graph, new Set([0, 2]), new Set([1]))).toEqual([]);
    expect(staleRecords(graph, new Set([2]), new Set([1]))).toEqual([1]);
  });
});
