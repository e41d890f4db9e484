import {
  DEFAULT_RETRY_POLICY,
  retryPolicy,
  withCache,
  withRateLimit,
  type GraphConfig,
  type NodeConfig,
  type OrchestrationError,
  type RetryPolicy,
  type Router,
  type Runnable,
} from '@baton/core';
import { showValue, showError } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import { resolveNodeConfig, type NodeOption } from '../node-options.js';
import { graphError } from './graph-errors.js';

/** A node as declared, with what running it needs precomputed. */
export interface NodeSpec {
  readonly name: string;
  /** The node's runnable, wrapped with `withCache` when the node caches. */
  readonly runnable: Runnable;
  /** The runnable as given to `addNode` (its name is what a `GraphSpec` records). */
  readonly source: Runnable;
  readonly config: Readonly<NodeConfig>;
  /** `undefined` when the node runs once (no retries). */
  readonly policy: RetryPolicy | undefined;
  router: Router | undefined;
  /** Target name -> node index, for the router's picks. */
  routeIndex: Map<string, number> | undefined;
}

function isRunnable(value: unknown): value is Runnable {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  try {
    return (
      typeof r.name === 'string' && typeof r.invoke === 'function' && typeof r.stream === 'function'
    );
  } catch {
    return false; // its getters throw (a Proxy): not something a node can run
  }
}

/** Checks a new node's name: a non-empty string, not `__proto__`, not taken. */
export function checkNodeName(
  name: unknown,
  taken: ReadonlyMap<string, number>,
  op: string,
): Result<string, OrchestrationError> {
  if (typeof name !== 'string' || name.trim() === '' || name === '__proto__') {
    const shown = showValue(name);
    return err(
      graphError(
        'invalid_config',
        'invalid-name',
        op,
        `node name must be a non-empty string other than "__proto__", got ${shown}`,
      ),
    );
  }
  if (taken.has(name)) {
    const message = `a node named "${name}" already exists; node names must be unique`;
    return err(graphError('invalid_config', 'duplicate-node', op, message, { node: name }));
  }
  return ok(name);
}

/** The retry policy of a node: its own retries, else the graph's; `undefined` for one attempt. */
function nodePolicy(
  config: Readonly<NodeConfig>,
  graph: Readonly<GraphConfig>,
  op: string,
): Result<RetryPolicy | undefined, OrchestrationError> {
  const retries = config.retries ?? graph.retries;
  if (retries === 0 && config.retryPolicy === DEFAULT_RETRY_POLICY) return ok(undefined);
  // The policy as given first (its own maxAttempts too), then with the node's retries.
  const own = retryPolicy(config.retryPolicy);
  const policy = own.isErr()
    ? own
    : retryPolicy({ ...config.retryPolicy, maxAttempts: retries + 1 });
  if (policy.isOk()) return ok(retries === 0 ? undefined : policy.value);
  const message = `withNodeRetryPolicy: ${policy.error.message}`;
  return err(
    graphError('invalid_config', 'invalid-option', op, message, { option: 'withNodeRetryPolicy' }),
  );
}

function cached(
  runnable: Runnable,
  config: Readonly<NodeConfig>,
  namespace: string,
  op: string,
): Result<Runnable, OrchestrationError> {
  const cache = config.cache;
  if (cache === undefined) return ok(runnable);
  try {
    return ok(withCache(runnable, { ...cache, namespace: cache.namespace ?? namespace }));
  } catch (error) {
    const message = `withNodeCache: ${showError(error)}`;
    return err(
      graphError('invalid_config', 'invalid-option', op, message, { option: 'withNodeCache' }),
    );
  }
}

/** The node's runnable under its own rate limit, then the graph's (cache hits draw on neither). */
function limited(
  runnable: Runnable,
  config: Readonly<NodeConfig>,
  graph: Readonly<GraphConfig>,
  op: string,
): Result<Runnable, OrchestrationError> {
  let r = runnable;
  let option = 'withNodeRateLimit';
  try {
    if (config.rateLimit !== undefined) r = withRateLimit(r, config.rateLimit);
    option = 'withGraphRateLimit';
    if (graph.rateLimit !== undefined) r = withRateLimit(r, graph.rateLimit);
    return ok(r);
  } catch (error) {
    const message = `${option}: ${showError(error).replace(/^withRateLimit: /, '')}`;
    return err(graphError('invalid_config', 'invalid-option', op, message, { option }));
  }
}

/** Validates a node's runnable and options and precomputes its retry policy and cache. */
export function createNodeSpec(
  name: string,
  runnable: unknown,
  options: readonly NodeOption[],
  graph: Readonly<GraphConfig>,
  op: string,
): Result<NodeSpec, OrchestrationError> {
  if (!isRunnable(runnable)) {
    const message = `node "${name}" needs a Runnable; wrap functions with runnable(name, fn)`;
    return err(graphError('invalid_config', 'invalid-runnable', op, message, { node: name }));
  }
  const config = resolveNodeConfig(options, `${op}("${name}")`);
  if (config.isErr()) return err(config.error);
  const policy = nodePolicy(config.value, graph, op);
  if (policy.isErr()) return err(policy.error);
  const limit = limited(runnable, config.value, graph, op);
  if (limit.isErr()) return err(limit.error);
  const wrapped = cached(limit.value, config.value, `${graph.name}/${name}`, op);
  if (wrapped.isErr()) return err(wrapped.error);
  return ok({
    name,
    runnable: wrapped.value,
    source: runnable,
    config: config.value,
    policy: policy.value,
    router: undefined,
    routeIndex: undefined,
  });
}
