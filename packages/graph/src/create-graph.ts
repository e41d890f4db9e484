import { OrchestrationError, type Graph, type GraphProvider, type Registry } from '@baton/core';
import { createWithProvider } from '@baton/core/authoring';
import { err, type Result } from 'neverthrow';
import { resolveGraphConfig, type GraphOption } from './graph-options.js';
import { defaultGraphRegistry } from './graph-registry.js';

/**
 * Like {@link createGraph}, but looks the provider up in `registry` instead of the default
 * registry (an Orchestrator passes its own copy).
 */
export function createGraphWithRegistry<I = unknown, O = unknown>(
  registry: Registry<GraphProvider>,
  ...options: GraphOption[]
): Result<Graph<I, O>, OrchestrationError> {
  const config = resolveGraphConfig(options);
  if (config.isErr()) return err(config.error);
  return createWithProvider(registry, 'graph', config.value.provider, (provider) =>
    provider.createGraph<I, O>(config.value),
  );
}

/**
 * Creates an empty graph, for graphs built from data (`createGraphBuilder` is the typed way to
 * build one in code): add nodes and edges, then run it like any Runnable. A failed structure
 * call is remembered, and running or validating the graph then fails with all of them. Data flows along
 * edges; each node starts as soon as its dependencies are done, up to `withGraphMaxWorkers` at
 * once. Bad options fail with `invalid_config` naming the option.
 *
 * @example
 * const graph = createGraph<string, { upper: string; length: number }>(withGraphName('demo'))
 *   .andThen((g) => g.addNode('trim', runnable('trim', (s: string) => s.trim())))
 *   .andThen((g) => g.addNode('upper', runnable('upper', (s: string) => s.toUpperCase())))
 *   .andThen((g) => g.addNode('length', runnable('length', (s: string) => s.length)))
 *   .andThen((g) => g.addEdge('trim', 'upper'))
 *   .andThen((g) => g.addEdge('trim', 'length'));
 * if (graph.isErr()) throw graph.error;
 * await graph.value.invoke('  hi '); // ok({ upper: 'HI', length: 2 })
 */
export function createGraph<I = unknown, O = unknown>(
  ...options: GraphOption[]
): Result<Graph<I, O>, OrchestrationError> {
  return createGraphWithRegistry<I, O>(defaultGraphRegistry(), ...options);
}
