/** Priority and insertion order packed into one key (2^44 insertions per priority). */
const PRIORITY_STRIDE = 2 ** 44;

/**
 * The order in which ready nodes waiting for a worker start: lower priority first (0 urgent ..
 * 3 low), ties in the order they became ready (`seq`, counted by the driver). A driver that runs
 * nodes one at a time orders by topological rank instead (`sequentialKey`).
 */
export function readyKey(priority: number, seq: number): number {
  return priority * PRIORITY_STRIDE + seq;
}

/** The order of a sequential run: declaration-order topological rank. */
export function sequentialKey(topoRank: number): number {
  return topoRank;
}
