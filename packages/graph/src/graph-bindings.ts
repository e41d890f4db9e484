import { OrchestrationError, type GraphSpec, type Router, type Runnable } from '@baton/core';
import { showValue } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import { structureOf } from './internal/graph-structures.js';

/** A built graph as data plus what its names stand for: the inverse of `graphFromSpec`. */
export interface GraphBindings {
  /** The graph's spec (`graph.toSpec()`). */
  readonly spec: GraphSpec;
  /** Each node's runnable, by the name the spec records (`node.runnable`). */
  readonly runnables: Readonly<Record<string, Runnable<never>>>;
  /** Each router, by the name the spec records (`conditionalEdges[].router`). */
  readonly routers: Readonly<Record<string, Router<never>>>;
}

/**
 * The spec of a graph built by `@baton/graph` with the runnables and routers its names stand
 * for, e.g. to register them with a Temporal worker. Fails like `toSpec` for a graph a spec
 * cannot describe, and with `invalid_config` for a value that is not such a graph.
 *
 * @example
 * const bindings = graphBindings(graph);
 * if (bindings.isOk()) console.log(Object.keys(bindings.value.runnables));
 */
export function graphBindings(graph: unknown): Result<GraphBindings, OrchestrationError> {
  const structure = structureOf(graph);
  if (structure === undefined) {
    return err(
      new OrchestrationError(
        'invalid_config',
        `graphBindings: expected a graph built by @baton/graph (createGraph, createGraphBuilder, graphFromSpec), got ${showValue(graph)}`,
        { op: 'graphBindings' },
      ),
    );
  }
  return (graph as { toSpec(): Result<GraphSpec, OrchestrationError> }).toSpec().andThen((spec) => {
    const runnables = new Map<string, Runnable<never>>();
    const routers = new Map<string, Router<never>>();
    for (const node of structure.nodes) {
      runnables.set(node.source.name, node.source);
      if (node.router !== undefined) routers.set(node.router.name, node.router);
    }
    return ok({
      spec,
      runnables: Object.fromEntries(runnables),
      routers: Object.fromEntries(routers),
    });
  });
}
