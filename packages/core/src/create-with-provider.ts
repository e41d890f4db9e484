import { err, type Result } from 'neverthrow';
import { OrchestrationError, toOrchestrationError } from './errors.js';
import { isResult } from './is-result.js';
import type { Registry } from './provider-registry.js';

function capitalized(kind: string): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** `registry.get(name)`, or `invalid_config` when `registry` is not a Registry. */
function lookup<P>(
  registry: Registry<P>,
  name: string,
  kind: string,
): Result<P, OrchestrationError> {
  let found: unknown;
  try {
    found = registry.get(name);
  } catch (cause) {
    found = cause;
  }
  if (isResult<P, OrchestrationError>(found)) return found;
  const Kind = capitalized(kind);
  return err(
    new OrchestrationError(
      'invalid_config',
      `create${Kind}WithRegistry: registry must be a Registry of ${kind} providers, e.g. default${Kind}Registry().clone()`,
      { op: `create${Kind}`, details: { field: 'registry' } },
    ),
  );
}

/**
 * The one provider lookup of Baton: finds provider `name` in `registry` and calls `create` with
 * it, for `createChain`, `createGraph`, `createWorkflow` (`kind` is `chain`, `graph`,
 * `workflow`; errors name `create<Kind>` and `with<Kind>Provider`). An unknown name fails with
 * `not_found` listing the registered providers; a `registry` that is not a Registry with
 * `invalid_config`; a provider that throws, or returns something other than a Result, with a
 * typed error naming the provider. Never throws.
 *
 * @example
 * export function createChainWithRegistry(registry: Registry<ChainProvider>, steps, ...options) {
 *   const config = resolveChainConfig(options);
 *   if (config.isErr()) return err(config.error);
 *   return createWithProvider(registry, 'chain', config.value.provider, (provider) =>
 *     provider.createChain(steps, config.value),
 *   );
 * }
 */
export function createWithProvider<P, T>(
  registry: Registry<P>,
  kind: string,
  name: string,
  create: (provider: P) => Result<T, OrchestrationError>,
): Result<T, OrchestrationError> {
  const Kind = capitalized(kind);
  const provider = lookup(registry, name, kind);
  if (provider.isErr()) {
    const missing = toOrchestrationError(provider.error, `create${Kind}`);
    if (missing.code !== 'not_found') return err(missing);
    return err(
      new OrchestrationError(
        'not_found',
        `create${Kind}: with${Kind}Provider: ${missing.message}`,
        { op: `create${Kind}`, cause: missing, details: missing.details },
      ),
    );
  }
  const op = `create${Kind} (provider "${name}")`;
  let created: unknown;
  try {
    created = create(provider.value);
  } catch (error) {
    return err(toOrchestrationError(error, op));
  }
  if (!isResult<T, OrchestrationError>(created)) {
    const message = `${op}: create${Kind} must return a Result of a ${Kind}, got ${typeof created}`;
    return err(new OrchestrationError('invalid_state', message, { op }));
  }
  return created.mapErr((error) => toOrchestrationError(error, op));
}
