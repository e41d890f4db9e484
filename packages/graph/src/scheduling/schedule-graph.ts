import { err, ok, type Result } from 'neverthrow';
import { failsOnRequiredFailure } from './trigger-rules.js';

/** A dependency that must succeed (the default edge). */
export const REQUIRED = 0;
/** `{ required: false }`: the child may run when the parent failed or was skipped. */
export const OPTIONAL = 1;
/** From a router to one of its targets. */
export const CONDITIONAL = 2;
/** How a child depends on its parent. */
export type EdgeKind = typeof REQUIRED | typeof OPTIONAL | typeof CONDITIONAL;

/**
 * The structure the scheduling rules read: adjacency in compressed rows (CSR), so a run walks
 * parents and children without allocating. Pure data: an interpreter builds it from a GraphSpec
 * with `createScheduleGraph`; the in-process executor's compiled graph extends it.
 */
export interface ScheduleGraph {
  readonly size: number;
  /** Node names, for the reasons and errors the rules give. */
  readonly names: readonly string[];
  /** Parents of node i: `parents[parentStart[i] .. parentStart[i + 1])`, in declaration order. */
  readonly parentStart: Int32Array;
  readonly parents: Int32Array;
  readonly parentKind: Uint8Array;
  readonly childStart: Int32Array;
  readonly children: Int32Array;
  readonly childKind: Uint8Array;
  readonly entries: Int32Array;
  readonly isEntry: Uint8Array;
  readonly finishes: Int32Array;
  /** Trigger rule codes (see `TRIGGER_RULES`). */
  readonly triggerRule: Uint8Array;
  /** 0 urgent .. 3 low. */
  readonly priority: Uint8Array;
  /** Position of each node in the declaration-order topological sort. */
  readonly topoRank: Int32Array;
  /** 1 when the node's failure certainly fails the run (see `doomedNodes`). */
  readonly fatal: Uint8Array;
}

/** The edges of a graph in compressed rows. */
export interface Adjacency {
  readonly parentStart: Int32Array;
  readonly parents: Int32Array;
  readonly parentKind: Uint8Array;
  readonly childStart: Int32Array;
  readonly children: Int32Array;
  readonly childKind: Uint8Array;
}

/** A directed edge between node indices. */
export interface ScheduleEdge {
  readonly from: number;
  readonly to: number;
  readonly kind: EdgeKind;
}

/** Builds the compressed rows of `edges` over `n` nodes, keeping declaration order. */
export function buildAdjacency(n: number, edges: readonly ScheduleEdge[]): Adjacency {
  const parentStart = new Int32Array(n + 1);
  const childStart = new Int32Array(n + 1);
  for (const e of edges) {
    parentStart[e.to + 1] = (parentStart[e.to + 1] as number) + 1;
    childStart[e.from + 1] = (childStart[e.from + 1] as number) + 1;
  }
  for (let i = 0; i < n; i++) {
    parentStart[i + 1] = (parentStart[i + 1] as number) + (parentStart[i] as number);
    childStart[i + 1] = (childStart[i + 1] as number) + (childStart[i] as number);
  }
  const m = edges.length;
  const parents = new Int32Array(m);
  const parentKind = new Uint8Array(m);
  const children = new Int32Array(m);
  const childKind = new Uint8Array(m);
  const pFill = parentStart.slice(0, n);
  const cFill = childStart.slice(0, n);
  for (const e of edges) {
    const p = pFill[e.to] as number;
    pFill[e.to] = p + 1;
    parents[p] = e.from;
    parentKind[p] = e.kind;
    const c = cFill[e.from] as number;
    cFill[e.from] = c + 1;
    children[c] = e.to;
    childKind[c] = e.kind;
  }
  return { parentStart, parents, parentKind, childStart, children, childKind };
}

/**
 * Kahn's algorithm, sources in declaration order. `count < n` means the nodes not in
 * `order[0 .. count)` are on or behind a cycle.
 */
export function topoSort(n: number, adj: Adjacency): { order: Int32Array; count: number } {
  const indegree = new Int32Array(n);
  for (let i = 0; i < n; i++)
    indegree[i] = (adj.parentStart[i + 1] as number) - (adj.parentStart[i] as number);
  const order = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if (indegree[i] === 0) order[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const v = order[head] as number;
    for (let e = adj.childStart[v] as number, end = adj.childStart[v + 1] as number; e < end; e++) {
      const c = adj.children[e] as number;
      const left = (indegree[c] as number) - 1;
      indegree[c] = left;
      if (left === 0) order[tail++] = c;
    }
  }
  return { order, count: tail };
}

/**
 * The nodes whose failure certainly fails the run: finish points and sinks, and nodes with a
 * required (or conditional) edge into a fatal node whose trigger rule fails on any required
 * failure (`all_success`, `none_failed`, `none_failed_min_one_success`). Other failures may
 * still fail the run when they reach a finish point; the scheduler sees that as it happens.
 */
function doomedNodes(
  n: number,
  adj: Adjacency,
  order: Int32Array,
  isFinish: Uint8Array,
  triggerRule: Uint8Array,
): Uint8Array {
  const fatal = new Uint8Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const v = order[k] as number;
    const start = adj.childStart[v] as number;
    const end = adj.childStart[v + 1] as number;
    let f = start === end || isFinish[v] === 1 ? 1 : 0;
    for (let e = start; f === 0 && e < end; e++) {
      const c = adj.children[e] as number;
      if (
        adj.childKind[e] !== OPTIONAL &&
        fatal[c] === 1 &&
        failsOnRequiredFailure(triggerRule[c] as number)
      )
        f = 1;
    }
    fatal[v] = f;
  }
  return fatal;
}

/** Declared points, or the nodes whose row in `start` is empty (no parents / no children). */
export function defaultPoints(
  declared: readonly number[] | undefined,
  n: number,
  start: Int32Array,
): Int32Array {
  if (declared !== undefined) return Int32Array.from(declared);
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (start[i] === start[i + 1]) out.push(i);
  return Int32Array.from(out);
}

/** A graph as plain data, for `createScheduleGraph`. */
export interface ScheduleGraphSource {
  readonly names: readonly string[];
  readonly edges: readonly ScheduleEdge[];
  /** Trigger rule code per node. @default all 0 (`all_success`) */
  readonly triggerRule?: readonly number[] | undefined;
  /** @default all 2 */
  readonly priority?: readonly number[] | undefined;
  /** @default the nodes without parents */
  readonly entries?: readonly number[] | undefined;
  /** @default the nodes without children */
  readonly finishes?: readonly number[] | undefined;
}

/**
 * Builds the schedule of a graph given as data. Fails (with the nodes left unordered) on a
 * cycle; the other structure checks (entry points, reachability) are the caller's.
 */
export function createScheduleGraph(
  source: ScheduleGraphSource,
): Result<ScheduleGraph, { readonly cycle: readonly number[] }> {
  const n = source.names.length;
  const adj = buildAdjacency(n, source.edges);
  const { order, count } = topoSort(n, adj);
  if (count < n) {
    const done = new Uint8Array(n);
    for (let k = 0; k < count; k++) done[order[k] as number] = 1;
    return err({ cycle: source.names.flatMap((_, i) => (done[i] === 1 ? [] : [i])) });
  }
  return ok(scheduleGraph(source.names, adj, order, source));
}

/** Assembles a schedule from checked parts (`order`: a full topological order). */
export function scheduleGraph(
  names: readonly string[],
  adj: Adjacency,
  order: Int32Array,
  source: Omit<ScheduleGraphSource, 'names' | 'edges'>,
): ScheduleGraph {
  const n = names.length;
  const entries = defaultPoints(source.entries, n, adj.parentStart);
  const finishes = defaultPoints(source.finishes, n, adj.childStart);
  const isEntry = new Uint8Array(n);
  for (const e of entries) isEntry[e] = 1;
  const isFinish = new Uint8Array(n);
  for (const f of finishes) isFinish[f] = 1;
  const topoRank = new Int32Array(n);
  for (let k = 0; k < n; k++) topoRank[order[k] as number] = k;
  const triggerRule = Uint8Array.from(source.triggerRule ?? new Uint8Array(n));
  const priority =
    source.priority === undefined ? new Uint8Array(n).fill(2) : Uint8Array.from(source.priority);
  return {
    size: n,
    names,
    ...adj,
    entries,
    isEntry,
    finishes,
    triggerRule,
    priority,
    topoRank,
    fatal: doomedNodes(n, adj, order, isFinish, triggerRule),
  };
}
