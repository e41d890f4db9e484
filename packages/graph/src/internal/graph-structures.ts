import type { GraphStructure } from './graph-structure.js';

/** The structure of every graph this package built, for `graphBindings`. */
const structures = new WeakMap<object, GraphStructure>();

/** Remembers the structure of a graph this package built. */
export function rememberStructure(graph: object, structure: GraphStructure): void {
  structures.set(graph, structure);
}

/** The structure of a graph this package built; `undefined` for anything else. */
export function structureOf(graph: unknown): GraphStructure | undefined {
  return typeof graph === 'object' && graph !== null ? structures.get(graph) : undefined;
}
