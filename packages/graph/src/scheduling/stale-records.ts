import type { ScheduleGraph } from './schedule-graph.js';

/**
 * Which stored records a resumed run does not reuse. A succeeded record (`succeeded`, which
 * this removes them from) is reused only when each of its parents is reused or skipped again:
 * otherwise the node ran on inputs the resumed run will not give it (an optional parent that
 * failed and runs again). A skipped record is skipped again only when all its parents are
 * reused or skipped again (routers are pure, trigger rules see the same outcomes); otherwise
 * it is decided anew. Walks in topological order, so drops cascade downwards. Returns the
 * nodes whose records no longer apply, in that order.
 */
export function staleRecords(
  graph: ScheduleGraph,
  succeeded: { has(node: number): boolean; delete(node: number): unknown },
  skipped: { has(node: number): boolean },
): number[] {
  const stale: number[] = [];
  const skippedAgain = new Uint8Array(graph.size);
  const order = new Int32Array(graph.size);
  for (let i = 0; i < graph.size; i++) order[graph.topoRank[i] as number] = i;
  for (const i of order) {
    const wasSkipped = skipped.has(i);
    if (!wasSkipped && !succeeded.has(i)) continue;
    let holds = true;
    const end = graph.parentStart[i + 1] as number;
    for (let e = graph.parentStart[i] as number; e < end && holds; e++) {
      const p = graph.parents[e] as number;
      holds = succeeded.has(p) || skippedAgain[p] === 1;
    }
    if (holds) {
      if (wasSkipped) skippedAgain[i] = 1;
      continue;
    }
    succeeded.delete(i);
    stale.push(i);
  }
  return stale;
}
