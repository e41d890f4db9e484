import {
  createRegistry,
  type GraphProvider,
  type OrchestrationError,
  type Registry,
} from '@baton/core';
import type { Result } from 'neverthrow';
import { dagGraphProvider } from './dag-graph.js';

// Built lazily so that importing the package has no side effects.
let defaultRegistry: Registry<GraphProvider> | undefined;

/**
 * The process-wide graph registry that `createGraph` and `registerGraphProvider` use; it starts
 * with the `dag` provider. This is the live registry: an Orchestrator (or a test) that wants its
 * own set takes `defaultGraphRegistry().clone()` and passes it to `createGraphWithRegistry`.
 */
export function defaultGraphRegistry(): Registry<GraphProvider> {
  defaultRegistry ??= createRegistry<GraphProvider>('graph provider', [['dag', dagGraphProvider]]);
  return defaultRegistry;
}

/**
 * Adds a graph provider to the default registry, to be picked with `withGraphProvider(name)`.
 * A duplicate or empty name fails with `invalid_config`.
 *
 * @example
 * registerGraphProvider('temporal', temporalGraphProvider);
 * const graph = createGraph(withGraphProvider('temporal'));
 */
export function registerGraphProvider(
  name: string,
  provider: GraphProvider,
): Result<void, OrchestrationError> {
  return defaultGraphRegistry().register(name, provider);
}
