import {
  DEFAULT_RETRY_POLICY,
  type GraphSpec,
  type GraphSpecCache,
  type GraphSpecNode,
  type NodeConfig,
  type OrchestrationError,
  type Runnable,
} from '@baton/core';
import { err, ok, type Result } from 'neverthrow';
import { specFingerprint } from '../scheduling/spec-fingerprint.js';
import { graphError } from './graph-errors.js';
import { CONDITIONAL, OPTIONAL, type GraphStructure } from './graph-structure.js';
import type { NodeSpec } from './node-spec.js';

/** A spec, and what it could not name (a spec with problems is only good for pictures). */
export interface DescribedStructure {
  readonly spec: GraphSpec;
  readonly problems: readonly string[];
}

/** `null` for Infinity, which JSON cannot hold. */
const limit = (n: number): number | null => (n === Infinity ? null : n);

/** The `kind` and settings of a map or loop node, for its spec. */
function repeatOf(config: Readonly<NodeConfig>, where: string, problems: string[]) {
  const { map, loop } = config;
  if (map !== undefined) {
    const { concurrency, retries, onItemError } = map;
    return { kind: 'map' as const, map: { concurrency: limit(concurrency), retries, onItemError } };
  }
  if (loop === undefined) return {};
  const until = typeof loop.until.name === 'string' ? loop.until.name : '';
  if (until === '')
    problems.push(
      `${where} loops until an anonymous function; declare the condition as a named function`,
    );
  return { kind: 'loop' as const, loop: { until, maxIterations: loop.maxIterations } };
}

function nodeOf(node: NodeSpec, problems: string[]): GraphSpecNode {
  const config: Readonly<NodeConfig> = node.config;
  const where = `node "${node.name}"`;
  if (config.input !== undefined)
    problems.push(
      `${where} builds its input with withNodeInput(fn), which a spec cannot hold; ` +
        'give the node a runnable that takes the data-flow input instead',
    );
  if (config.hooks !== undefined)
    problems.push(
      `${where} has hooks (withNodeHooks), which a spec cannot hold; ` +
        'wrap its runnable with withHooks and register that, or use withGraphHooks',
    );
  if (config.rateLimit !== undefined)
    problems.push(
      `${where} has a rate limit (withNodeRateLimit), which a spec cannot hold; ` +
        'wrap its runnable with withRateLimit and register that, or use withGraphRateLimit',
    );
  const { retryPolicy: p } = config;
  if (p.retryOn !== DEFAULT_RETRY_POLICY.retryOn)
    problems.push(
      `${where} has a custom retryOn, which a spec cannot hold; ` +
        'wrap its runnable with withRetry instead',
    );
  let cache: GraphSpecCache | undefined;
  if (config.cache !== undefined) {
    const { store, key, namespace, ttlMs } = config.cache;
    if (store !== undefined || key !== undefined)
      problems.push(
        `${where} caches with its own ${store !== undefined ? 'store' : 'key function'}, ` +
          'which a spec cannot hold; wrap its runnable with withCache instead',
      );
    cache = {
      ...(namespace === undefined ? {} : { namespace }),
      ...(ttlMs === undefined ? {} : { ttlMs }),
    };
  }
  const { maxAttempts, initialDelayMs, maxDelayMs, multiplier, jitter } = p;
  return {
    name: node.name,
    runnable: node.source.name,
    priority: config.priority,
    ...(config.retries === undefined ? {} : { retries: config.retries }),
    retryPolicy: { maxAttempts, initialDelayMs, maxDelayMs, multiplier, jitter },
    timeoutMs: config.timeoutMs,
    triggerRule: config.triggerRule,
    ...(cache === undefined ? {} : { cache }),
    ...repeatOf(config, where, problems),
    ...(config.pure === true ? { pure: true as const } : {}),
  };
}

/** Two different runnables under one name cannot both be found by that name. */
function checkRunnableNames(nodes: readonly NodeSpec[], problems: string[]): void {
  const byName = new Map<string, { runnable: Runnable; node: string }>();
  for (const node of nodes) {
    const seen = byName.get(node.source.name);
    if (seen === undefined)
      byName.set(node.source.name, { runnable: node.source, node: node.name });
    else if (seen.runnable !== node.source)
      problems.push(
        `nodes "${seen.node}" and "${node.name}" run different runnables both named ` +
          `"${node.source.name}"; give each runnable its own name`,
      );
  }
}

/** Describes `structure` as a spec, listing what the spec cannot name. */
export function describeStructure(structure: GraphStructure): DescribedStructure {
  const { config, nodes } = structure;
  const problems: string[] = [];
  const name = (i: number): string => (nodes[i] as NodeSpec).name;
  const specNodes = nodes.map((node) => nodeOf(node, problems));
  checkRunnableNames(nodes, problems);
  const edges = structure.edges
    .filter((e) => e.kind !== CONDITIONAL)
    .map((e) => ({ from: name(e.from), to: name(e.to), required: e.kind !== OPTIONAL }));
  const conditionalEdges = nodes.flatMap((node) => {
    if (node.router === undefined || node.routeIndex === undefined) return [];
    const router = typeof node.router.name === 'string' ? node.router.name : '';
    if (router === '')
      problems.push(
        `the router of node "${node.name}" has no name; declare it as a named function ` +
          `or wrap it with namedRouter('name', fn)`,
      );
    return [{ from: node.name, router, targets: [...node.routeIndex.keys()] }];
  });
  const body = {
    version: 1 as const,
    name: config.name,
    description: config.description,
    settings: {
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      maxWorkers: limit(config.maxWorkers),
      parallel: config.parallel,
      queueSize: limit(config.queueSize),
      failFast: config.failFast,
    },
    nodes: specNodes,
    edges,
    conditionalEdges,
    ...(structure.entry === undefined ? {} : { entry: structure.entry.map(name) }),
    ...(structure.finish === undefined ? {} : { finish: structure.finish.map(name) }),
  };
  return { spec: { ...body, fingerprint: specFingerprint(body) }, problems };
}

/** The spec of `structure`, or `invalid_state` listing everything it cannot name. */
export function structureSpec(
  structure: GraphStructure,
  op: string,
): Result<GraphSpec, OrchestrationError> {
  const { spec, problems } = describeStructure(structure);
  if (problems.length === 0) return ok(spec);
  const message = `a GraphSpec names every function; ${problems.join('; ')}`;
  return err(graphError('invalid_state', 'not-serialisable', op, message, { problems }));
}
