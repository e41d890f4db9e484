import {
  createRegistry,
  type ChainProvider,
  type OrchestrationError,
  type Registry,
} from '@baton/core';
import type { Result } from 'neverthrow';
import { simpleChainProvider } from './simple-chain.js';

// Built lazily so that importing the package has no side effects.
let defaultRegistry: Registry<ChainProvider> | undefined;

/**
 * The process-wide chain registry that `createChain` and `registerChainProvider` use; it starts
 * with the `simple` provider. This is the live registry, not a copy: an Orchestrator (or a test)
 * that wants its own set takes `defaultChainRegistry().clone()` and passes it to
 * `createChainWithRegistry`.
 */
export function defaultChainRegistry(): Registry<ChainProvider> {
  defaultRegistry ??= createRegistry<ChainProvider>('chain provider', [
    ['simple', simpleChainProvider],
  ]);
  return defaultRegistry;
}

/**
 * Adds a chain provider to the default registry, to be picked with `withChainProvider(name)`.
 * A duplicate or empty name fails with `invalid_config`.
 *
 * @example
 * registerChainProvider('recording', myProvider);
 * const chain = createChain([step], withChainProvider('recording'));
 */
export function registerChainProvider(
  name: string,
  provider: ChainProvider,
): Result<void, OrchestrationError> {
  return defaultChainRegistry().register(name, provider);
}
