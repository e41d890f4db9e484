import { err, ok, type Result } from 'neverthrow';
import { OrchestrationError } from './errors.js';
import { safeString } from './show-value.js';

/** A named set of providers of one kind (chain, graph, workflow, ...). */
export interface Registry<P> {
  /** The kind of provider, used in error messages (`chain provider`). */
  readonly kind: string;
  /** Adds a provider. A duplicate or empty name fails with `invalid_config`. */
  register(name: string, provider: P): Result<void, OrchestrationError>;
  /** Looks a provider up; an unknown name fails with `not_found` listing the registered names. */
  get(name: string): Result<P, OrchestrationError>;
  has(name: string): boolean;
  /** Registered names, sorted. */
  list(): string[];
  /** Removes a provider; returns whether it was there. */
  unregister(name: string): boolean;
  /** A copy with the same providers, so that callers (an Orchestrator, a test) don't share state. */
  clone(): Registry<P>;
}

/**
 * Creates a registry.
 *
 * @example
 * const chains = createRegistry<ChainProvider>('chain provider');
 * chains.register('simple', simpleProvider);
 */
export function createRegistry<P>(kind: string, entries: Iterable<[string, P]> = []): Registry<P> {
  const providers = new Map<string, P>(entries);
  return {
    kind,
    register(name, provider) {
      if (typeof name !== 'string' || name.trim() === '') {
        return err(
          new OrchestrationError('invalid_config', `${kind} name must be a non-empty string`, {
            op: 'registry.register',
          }),
        );
      }
      if (provider === undefined || provider === null) {
        return err(
          new OrchestrationError(
            'invalid_config',
            `${kind} "${name}" is ${String(provider)}; register a provider object`,
            { op: 'registry.register' },
          ),
        );
      }
      if (providers.has(name)) {
        return err(
          new OrchestrationError(
            'invalid_config',
            `${kind} "${name}" is already registered; unregister it first or pick another name`,
            { op: 'registry.register', details: { name } },
          ),
        );
      }
      providers.set(name, provider);
      return ok(undefined);
    },
    get(name) {
      const provider = providers.get(name);
      if (provider === undefined) {
        const names = [...providers.keys()].sort();
        return err(
          new OrchestrationError(
            'not_found',
            `unknown ${kind} "${safeString(name)}"; registered: ${names.length ? names.join(', ') : '(none)'}`,
            { op: 'registry.get', details: { name, registered: names } },
          ),
        );
      }
      return ok(provider);
    },
    has: (name) => providers.has(name),
    list: () => [...providers.keys()].sort(),
    unregister: (name) => providers.delete(name),
    clone: () => createRegistry(kind, providers),
  };
}
