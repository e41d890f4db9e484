import type {
  GraphSpec,
  GraphSpecNode,
  GraphSpecRetryPolicy,
  GraphSpecSettings,
} from '@baton/core';
import { specFingerprint, triggerRuleCode } from '@baton/graph/scheduling';

/**
 * A GraphSpec as the interpreter's input carries it: names once, nodes and edges as number
 * tuples, shared retry policies once. A 20,000-node spec is about 1 MB this way instead of 4 MB
 * of plain spec, which would not fit in one Temporal payload (2 MB).
 */
export interface WireSpec {
  readonly v: 1;
  readonly name: string;
  readonly description: string;
  readonly settings: GraphSpecSettings;
  /** Distinct runnable names. */
  readonly runnables: readonly string[];
  /** Distinct retry policies: [maxAttempts, initialDelayMs, maxDelayMs, multiplier, jitter]. */
  readonly policies: readonly (readonly number[])[];
  /**
   * [name, runnable index, priority, retries (-1: the graph's), policy index, timeoutMs, trigger
   * rule ('' default), 1 when pure (absent otherwise)].
   */
  readonly nodes: readonly WireNode[];
  /** Flat triples: from, to, required (1) or optional (0). */
  readonly edges: readonly number[];
  /** [from, router name, target indices]. */
  readonly conditional: readonly (readonly [number, string, readonly number[]])[];
  readonly entry?: readonly number[];
  readonly finish?: readonly number[];
}

/** A node of a {@link WireSpec}. */
export type WireNode =
  | readonly [string, number, number, number, number, number, string]
  | readonly [string, number, number, number, number, number, string, 1];

const NODE_KEYS = new Set([
  'pure',
  'name',
  'runnable',
  'priority',
  'retries',
  'retryPolicy',
  'timeoutMs',
  'triggerRule',
  'cache',
]);
const SPEC_KEYS = new Set([
  'version',
  'name',
  'description',
  'settings',
  'nodes',
  'edges',
  'conditionalEdges',
  'entry',
  'finish',
  'fingerprint',
]);
const SETTINGS_KEYS = new Set([
  'timeoutMs',
  'retries',
  'maxWorkers',
  'parallel',
  'queueSize',
  'failFast',
]);

/**
 * The first spec feature the interpreter does not run, in words naming it and where it is;
 * `undefined` when it runs them all. Caching is not carried to Temporal (an activity's result
 * is already durable), and features newer than this interpreter (keys it does not know, such as
 * map, loop or interrupt nodes) are refused rather than ignored.
 */
export function unsupportedFeature(spec: GraphSpec): string | undefined {
  if ((spec as { version: unknown }).version !== 1)
    return `GraphSpec version ${String((spec as { version: unknown }).version)} (this interpreter runs version 1)`;
  for (const key of Object.keys(spec))
    if (!SPEC_KEYS.has(key)) return `spec field "${key}" (not known to this interpreter)`;
  for (const key of Object.keys(spec.settings))
    if (!SETTINGS_KEYS.has(key)) return `graph setting "${key}" (not known to this interpreter)`;
  for (const node of spec.nodes) {
    for (const key of Object.keys(node)) {
      if (!NODE_KEYS.has(key))
        return `node "${node.name}" has "${key}" (${key === 'kind' ? `a ${String((node as unknown as Record<string, unknown>)[key])} node` : 'not known to this interpreter'})`;
    }
    if (node.cache !== undefined)
      return `node "${node.name}" caches its output (withNodeCache); on Temporal each activity result is already durable: remove the cache, or wrap the runnable with withCache`;
    if (node.triggerRule !== undefined && triggerRuleCode(node.triggerRule) < 0)
      return `node "${node.name}" has trigger rule "${node.triggerRule}"`;
  }
  return undefined;
}

const policyKey = (p: GraphSpecRetryPolicy): number[] => [
  p.maxAttempts,
  p.initialDelayMs,
  p.maxDelayMs,
  p.multiplier,
  p.jitter,
];

/** The wire form of a spec the caller checked (`unsupportedFeature`, names resolved). */
export function encodeSpec(spec: GraphSpec): WireSpec {
  const index = new Map(spec.nodes.map((n, i) => [n.name, i]));
  const at = (name: string): number => index.get(name) as number;
  const runnables: string[] = [];
  const runnableIndex = new Map<string, number>();
  const policies: number[][] = [];
  const policyIndex = new Map<string, number>();
  const nodes = spec.nodes.map((n: GraphSpecNode) => {
    let r = runnableIndex.get(n.runnable);
    if (r === undefined) {
      r = runnables.push(n.runnable) - 1;
      runnableIndex.set(n.runnable, r);
    }
    const policy = policyKey(n.retryPolicy);
    const key = policy.join(',');
    let p = policyIndex.get(key);
    if (p === undefined) {
      p = policies.push(policy) - 1;
      policyIndex.set(key, p);
    }
    const tuple: WireNode = [
      n.name,
      r,
      n.priority,
      n.retries ?? -1,
      p,
      n.timeoutMs,
      n.triggerRule ?? '',
    ];
    return n.pure === true ? ([...tuple, 1] as const) : tuple;
  });
  return {
    v: 1,
    name: spec.name,
    description: spec.description,
    settings: spec.settings,
    runnables,
    policies,
    nodes,
    edges: spec.edges.flatMap((e) => [at(e.from), at(e.to), e.required ? 1 : 0]),
    conditional: spec.conditionalEdges.map((c) => [at(c.from), c.router, c.targets.map(at)]),
    ...(spec.entry === undefined ? {} : { entry: spec.entry.map(at) }),
    ...(spec.finish === undefined ? {} : { finish: spec.finish.map(at) }),
  };
}

/** The spec a wire form stands for, with its fingerprint computed anew. */
export function decodeSpec(wire: WireSpec): GraphSpec {
  const names = wire.nodes.map((n) => n[0]);
  const name = (i: number): string => {
    const found = names[i];
    if (found === undefined) throw new Error(`node index ${i} out of range`);
    return found;
  };
  // One policy object per distinct policy, shared by its nodes (20,000 nodes, a handful of them).
  const policies = wire.policies.map(
    ([maxAttempts, initialDelayMs, maxDelayMs, multiplier, jitter]): GraphSpecRetryPolicy => ({
      maxAttempts: maxAttempts as number,
      initialDelayMs: initialDelayMs as number,
      maxDelayMs: maxDelayMs as number,
      multiplier: multiplier as number,
      jitter: jitter as number,
    }),
  );
  const nodes = wire.nodes.map((node): GraphSpecNode => {
    const [n, r, priority, retries, p, timeoutMs, rule] = node;
    const retryPolicy = policies[p];
    const runnable = wire.runnables[r];
    if (retryPolicy === undefined || runnable === undefined)
      throw new Error(`node "${n}" refers to a missing runnable or retry policy`);
    return {
      name: n,
      runnable,
      priority,
      ...(retries < 0 ? {} : { retries }),
      retryPolicy,
      timeoutMs,
      ...(rule === '' ? {} : { triggerRule: rule }),
      ...(node[7] === 1 ? { pure: true as const } : {}),
    };
  });
  const edges: { from: string; to: string; required: boolean }[] = [];
  for (let k = 0; k + 2 < wire.edges.length; k += 3)
    edges.push({
      from: name(wire.edges[k] as number),
      to: name(wire.edges[k + 1] as number),
      required: wire.edges[k + 2] === 1,
    });
  const body = {
    version: 1 as const,
    name: wire.name,
    description: wire.description,
    settings: wire.settings,
    nodes,
    edges,
    conditionalEdges: wire.conditional.map(([from, router, targets]) => ({
      from: name(from),
      router,
      targets: targets.map(name),
    })),
    ...(wire.entry === undefined ? {} : { entry: wire.entry.map(name) }),
    ...(wire.finish === undefined ? {} : { finish: wire.finish.map(name) }),
  };
  return { ...body, fingerprint: specFingerprint(body) };
}
