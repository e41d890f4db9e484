import type { OrchestrationError } from '@baton/core';
import { err, ok, type Result } from 'neverthrow';
import { graphError, listNames } from './graph-errors.js';
import type { GraphStructure } from './graph-structure.js';
import {
  buildAdjacency,
  defaultPoints,
  scheduleGraph,
  topoSort,
  type Adjacency,
  type ScheduleGraph,
} from '../scheduling/schedule-graph.js';
import { triggerRuleCode } from '../scheduling/trigger-rules.js';
import type { NodeSpec } from './node-spec.js';

/**
 * The immutable, array-based form of a graph that runs execute: the schedule the scheduling
 * rules read, plus the nodes' runnables and settings.
 */
export interface CompiledGraph extends ScheduleGraph {
  readonly name: string;
  readonly edgeCount: number;
  readonly nodes: readonly NodeSpec[];
  /** `<graph>.<node>`, the `name` attribute of node metrics. */
  readonly metricNames: readonly string[];
  /**
   * One entry and at most one child per node (a chain): at most one node of a run is running
   * at any time, so nothing but the caller's signal or the graph timeout can abort one.
   */
  readonly sequential: boolean;
}

/** Whether the graph is one chain of nodes (see `CompiledGraph.sequential`). */
function isChain(schedule: ScheduleGraph): boolean {
  if (schedule.entries.length !== 1) return false;
  const start = schedule.childStart;
  for (let i = 0; i < schedule.size; i++)
    if ((start[i + 1] as number) - (start[i] as number) > 1) return false;
  return true;
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
  const adj = buildAdjacency(n, structure.edges);
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
  const entries = defaultPoints(structure.entry, n, adj.parentStart);
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
  const nodes = structure.nodes.slice();
  const names = nodes.map((s) => s.name);
  const schedule = scheduleGraph(names, adj, order, {
    entries: structure.entry,
    finishes: structure.finish,
    triggerRule: nodes.map((s) => triggerRuleCode(s.config.triggerRule)),
    priority: nodes.map((s) => s.config.priority),
  });
  return ok({
    ...schedule,
    name: structure.config.name,
    edgeCount: structure.edges.length,
    nodes,
    metricNames: names.map((name) => `${structure.config.name}.${name}`),
    sequential: isChain(schedule),
  });
}
