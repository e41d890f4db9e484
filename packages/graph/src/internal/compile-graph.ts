import type { OrchestrationError } from '@baton/core';
import { err, ok, type Result } from 'neverthrow';
import { graphError, listNames } from './graph-errors.js';
import { OPTIONAL, type GraphStructure } from './graph-structure.js';
import type { NodeSpec } from './node-spec.js';

/**
 * The immutable, array-based form of a graph that runs execute: adjacency in compressed rows
 * (CSR), so a run walks parents and children without allocating.
 */
export interface CompiledGraph {
  readonly name: string;
  readonly size: number;
  readonly edgeCount: number;
  readonly nodes: readonly NodeSpec[];
  /** `<graph>.<node>`, the `name` attribute of node metrics. */
  readonly metricNames: readonly string[];
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
  /** 1 when a failure of the node reaches a finish point or a sink through non-optional edges. */
  readonly fatal: Uint8Array;
  /** Position of each node in the declaration-order topological sort. */
  readonly topoRank: Int32Array;
}

interface Adjacency {
  parentStart: Int32Array;
  parents: Int32Array;
  parentKind: Uint8Array;
  childStart: Int32Array;
  children: Int32Array;
  childKind: Uint8Array;
}

function buildAdjacency(structure: GraphStructure): Adjacency {
  const n = structure.nodes.length;
  const edges = structure.edges;
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

/** Kahn's algorithm, sources in declaration order. Returns the order, or the nodes left in cycles. */
function topoSort(n: number, adj: Adjacency): { order: Int32Array; count: number } {
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

/** Names the nodes of one cycle among the nodes Kahn's algorithm could not order. */
function findCycle(
  structure: GraphStructure,
  adj: Adjacency,
  sorted: Int32Array,
  count: number,
): string[] {
  const n = structure.nodes.length;
  const done = new Uint8Array(n);
  for (let k = 0; k < count; k++) done[sorted[k] as number] = 1;
  let start = 0;
  while (done[start] === 1) start++;
  // Every node left has a parent that is left too: walk parents until one repeats.
  const seenAt = new Int32Array(n).fill(-1);
  const path: number[] = [];
  let v = start;
  while (seenAt[v] === -1) {
    seenAt[v] = path.length;
    path.push(v);
    let next = -1;
    for (
      let e = adj.parentStart[v] as number, end = adj.parentStart[v + 1] as number;
      e < end;
      e++
    ) {
      const p = adj.parents[e] as number;
      if (done[p] === 0) {
        next = p;
        break;
      }
    }
    v = next;
  }
  const found = path.slice(seenAt[v]).reverse();
  // Start at the node declared first, so the message does not depend on where the walk began.
  const first = found.indexOf(Math.min(...found));
  const cycle = [...found.slice(first), ...found.slice(0, first)];
  return [...cycle, cycle[0] as number].map((i) => (structure.nodes[i] as NodeSpec).name);
}

function reachable(n: number, adj: Adjacency, entries: Int32Array): Uint8Array {
  const seen = new Uint8Array(n);
  const stack: number[] = [];
  for (const e of entries) {
    seen[e] = 1;
    stack.push(e);
  }
  while (stack.length > 0) {
    const v = stack.pop() as number;
    for (let e = adj.childStart[v] as number, end = adj.childStart[v + 1] as number; e < end; e++) {
      const c = adj.children[e] as number;
      if (seen[c] === 0) {
        seen[c] = 1;
        stack.push(c);
      }
    }
  }
  return seen;
}

function fatalNodes(
  n: number,
  adj: Adjacency,
  order: Int32Array,
  isFinish: Uint8Array,
): Uint8Array {
  const fatal = new Uint8Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const v = order[k] as number;
    const start = adj.childStart[v] as number;
    const end = adj.childStart[v + 1] as number;
    let f = start === end || isFinish[v] === 1 ? 1 : 0;
    for (let e = start; f === 0 && e < end; e++) {
      if (adj.childKind[e] !== OPTIONAL && fatal[adj.children[e] as number] === 1) f = 1;
    }
    fatal[v] = f;
  }
  return fatal;
}

function points(declared: readonly number[] | undefined, n: number, start: Int32Array): Int32Array {
  if (declared !== undefined) return Int32Array.from(declared);
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (start[i] === start[i + 1]) out.push(i);
  return Int32Array.from(out);
}

function checkEntries(
  structure: GraphStructure,
  adj: Adjacency,
  entries: Int32Array,
  op: string,
): Result<void, OrchestrationError> {
  for (const e of entries) {
    if (adj.parentStart[e] !== adj.parentStart[e + 1]) {
      const name = (structure.nodes[e] as NodeSpec).name;
      const parent = (
        structure.nodes[adj.parents[adj.parentStart[e] as number] as number] as NodeSpec
      ).name;
      return err(
        graphError(
          'invalid_config',
          'entry-has-parents',
          op,
          `entry point "${name}" depends on "${parent}"; an entry point receives the graph input and cannot have parents`,
          { node: name },
        ),
      );
    }
  }
  return ok(undefined);
}

/** Validates the structure (non-empty, acyclic, every node reachable) and compiles it. */
export function compileGraph(structure: GraphStructure): Result<CompiledGraph, OrchestrationError> {
  const op = `${structure.config.name}.validate`;
  const n = structure.nodes.length;
  if (n === 0)
    return err(
      graphError(
        'invalid_config',
        'empty-graph',
        op,
        'the graph has no nodes; add some with addNode',
      ),
    );
  const adj = buildAdjacency(structure);
  const { order, count } = topoSort(n, adj);
  if (count < n) {
    const cycle = findCycle(structure, adj, order, count);
    return err(
      graphError(
        'invalid_config',
        'cycle',
        op,
        `the graph has a cycle: ${cycle.join(' -> ')}; remove one of these edges`,
        { cycle },
      ),
    );
  }
  const entries = points(structure.entry, n, adj.parentStart);
  const entriesOk = checkEntries(structure, adj, entries, op);
  if (entriesOk.isErr()) return err(entriesOk.error);
  const seen = reachable(n, adj, entries);
  const unreachable = structure.nodes.filter((_, i) => seen[i] === 0).map((s) => s.name);
  if (unreachable.length > 0) {
    return err(
      graphError(
        'invalid_config',
        'unreachable',
        op,
        `${listNames(unreachable)} cannot be reached from the entry points; connect them with addEdge or add them to setEntryPoint`,
        { nodes: unreachable },
      ),
    );
  }
  const finishes = points(structure.finish, n, adj.childStart);
  const isFinish = new Uint8Array(n);
  for (const f of finishes) isFinish[f] = 1;
  const isEntry = new Uint8Array(n);
  for (const e of entries) isEntry[e] = 1;
  const topoRank = new Int32Array(n);
  for (let k = 0; k < n; k++) topoRank[order[k] as number] = k;
  return ok({
    name: structure.config.name,
    size: n,
    edgeCount: structure.edges.length,
    nodes: structure.nodes.slice(),
    metricNames: structure.nodes.map((s) => `${structure.config.name}.${s.name}`),
    ...adj,
    entries,
    isEntry,
    finishes,
    fatal: fatalNodes(n, adj, order, isFinish),
    topoRank,
  });
}
