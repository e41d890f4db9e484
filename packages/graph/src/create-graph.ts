import {
  OrchestrationError,
  toOrchestrationError,
  type Graph,
  type GraphProvider,
  type Registry,
  isResult,
} from '@baton/core';
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
  const provider = lookup(registry, config.value.provider);
  if (provider.isErr()) {
    const missing = toOrchestrationError(provider.error, 'createGraph');
    if (missing.code !== 'not_found') return err(missing);
    return err(
      new OrchestrationError('not_found', `createGraph: withGraphProvider: ${missing.message}`, {
        op: 'createGraph',
        cause: missing,
        details: missing.details,
      }),
    );
  }
  const op = `createGraph (provider "${config.value.provider}")`;
  let created: unknown;
  try {
    created = provider.value.createGraph<I, O>(config.value);
  } catch (error) {
    return err(toOrchestrationError(error, op));
  }
  if (!isResult<Graph<I, O>, OrchestrationError>(created)) {
    const message = `${op}: createGraph must return a Result of a Graph, got ${typeof created}`;
    return err(new OrchestrationError('invalid_state', message, { op }));
  }
  return created.mapErr((error) => toOrchestrationError(error, op));
}

/** `registry.get(name)`, or `invalid_config` when `registry` is not a Registry. */
function lookup(
  registry: Registry<GraphProvider>,
  name: string,
): Result<GraphProvider, OrchestrationError> {
  let found: unknown;
  try {
    found = registry.get(name);
  } catch (cause) {
    found = cause;
  }
  if (isResult<GraphProvider, OrchestrationError>(found)) return found;
  return err(
    new OrchestrationError(
      'invalid_config',
      'createGraphWithRegistry: registry must be a Registry of graph providers, e.g. defaultGraphRegistry().clone()',
      { op: 'createGraph', details: { field: 'registry' } },
    ),
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
