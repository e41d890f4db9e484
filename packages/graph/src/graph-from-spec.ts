import {
  DEFAULT_RETRY_POLICY,
  OrchestrationError,
  type Graph,
  type GraphSpec,
  type GraphSpecNode,
  type LoopCondition,
  type Registry,
  type Router,
  type Runnable,
  type TriggerRule,
} from '@baton/core';
import { showError, showValue } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { createGraph } from './create-graph.js';
import {
  withGraphDescription,
  withGraphFailFast,
  withGraphMaxWorkers,
  withGraphName,
  withGraphParallelExecution,
  withGraphQueueSize,
  withGraphRetries,
  withGraphTimeout,
  type GraphOption,
} from './graph-options.js';
import { listNames } from './internal/graph-errors.js';
import { specFingerprint } from './scheduling/spec-fingerprint.js';
import type { NodeOption } from './node-options.js';

/** What the names in a spec stand for. */
export interface SpecBindings {
  /** Runnables by the name nodes refer to them (`node.runnable`): a record or a Registry. */
  readonly runnables: Readonly<Record<string, Runnable<never>>> | Registry<Runnable<never>>;
  /** Routers by the name conditional edges refer to them. @default {} */
  readonly routers?: Readonly<Record<string, Router<never>>>;
  /** Loop conditions (`withNodeLoop`'s `until`) by the name loop nodes refer to them. @default {} */
  readonly conditions?: Readonly<Record<string, LoopCondition>>;
}

const OP = 'graphFromSpec';
const name = z.string().min(1);
const count = z.number().int().min(0);
const ms = z.number().min(0);

const specSchema = z.strictObject({
  version: z.literal(1),
  name,
  description: z.string(),
  settings: z.strictObject({
    timeoutMs: ms,
    retries: count,
    maxWorkers: z.number().int().min(1).nullable(),
    parallel: z.boolean(),
    queueSize: count.nullable(),
    failFast: z.boolean(),
  }),
  nodes: z.array(
    z.strictObject({
      name,
      runnable: name,
      priority: z.number().int().min(0).max(3),
      retries: count.optional(),
      retryPolicy: z.strictObject({
        maxAttempts: z.number().int().min(1),
        initialDelayMs: ms,
        maxDelayMs: ms,
        multiplier: z.number().min(1),
        jitter: z.number().min(0).max(1),
      }),
      timeoutMs: ms,
      triggerRule: name.optional(),
      cache: z.strictObject({ namespace: z.string().optional(), ttlMs: ms.optional() }).optional(),
      kind: z.enum(['map', 'loop']).optional(),
      map: z
        .strictObject({
          concurrency: z.number().min(1).nullable(),
          retries: count,
          onItemError: z.enum(['fail', 'skip']),
        })
        .optional(),
      loop: z.strictObject({ until: name, maxIterations: z.number().int().min(1) }).optional(),
      pure: z.literal(true).optional(),
    }),
  ),
  edges: z.array(z.strictObject({ from: name, to: name, required: z.boolean() })),
  conditionalEdges: z.array(
    z.strictObject({ from: name, router: name, targets: z.array(name).min(1) }),
  ),
  entry: z.array(name).min(1).optional(),
  finish: z.array(name).min(1).optional(),
  fingerprint: z.string().optional(),
});

function invalid(message: string, details: Readonly<Record<string, unknown>> = {}) {
  return err(
    new OrchestrationError('invalid_config', `${OP}: ${message}`, {
      op: OP,
      details: { reason: 'invalid-spec', ...details },
    }),
  );
}

/** `nodes[2].priority` from a zod path. */
function showPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** The spec as plain JSON data, or why it is not JSON. */
function asJson(spec: unknown): Result<unknown, OrchestrationError> {
  let text: string | undefined;
  try {
    text = JSON.stringify(spec);
  } catch (cause) {
    return invalid(`the spec must be JSON data, as toSpec returns (${showError(cause)})`);
  }
  if (text === undefined) return invalid(`the spec must be JSON data, got ${showValue(spec)}`);
  return ok(JSON.parse(text) as unknown);
}

function parseSpec(raw: unknown): Result<GraphSpec, OrchestrationError> {
  const json = asJson(raw);
  if (json.isErr()) return err(json.error);
  const spec = json.value;
  const version: unknown =
    typeof spec === 'object' && spec !== null ? (spec as { version?: unknown }).version : undefined;
  if (version !== 1) {
    return invalid(
      `unsupported GraphSpec version ${showValue(version)}; this @baton/graph reads version 1`,
      { field: 'version' },
    );
  }
  const parsed = specSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const field = showPath(issue.path) || '(spec)';
    return invalid(`invalid spec at ${field}: ${issue.message}`, { field });
  }
  const mismatch = parsed.data.nodes.findIndex(
    (n) =>
      (n.kind === 'map') !== (n.map !== undefined) ||
      (n.kind === 'loop') !== (n.loop !== undefined),
  );
  if (mismatch >= 0) {
    const field = `nodes[${mismatch}].kind`;
    return invalid(
      `invalid spec at ${field}: a map node has 'map' settings, a loop node 'loop' settings, other nodes neither`,
      { field },
    );
  }
  // zod types an optional field as `T | undefined`; absent is what it parsed.
  const { fingerprint, ...body } = parsed.data as Omit<GraphSpec, 'fingerprint'> & {
    fingerprint?: string;
  };
  const expected = specFingerprint(body);
  if (fingerprint !== undefined && fingerprint !== expected) {
    return invalid(
      `the fingerprint ${fingerprint} does not match the spec's structure (${expected}); ` +
        'the spec was changed after toSpec: remove the fingerprint or set it to the new one',
      { field: 'fingerprint' },
    );
  }
  return ok({ ...body, fingerprint: expected });
}

/** `read()`, or `fallback` when user code it calls throws (a Proxy, a broken registry). */
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function isRegistry<T>(value: unknown): value is Registry<T> {
  return safely(() => {
    const r = value as Partial<Registry<T>> | null;
    return (
      typeof r?.get === 'function' && typeof r.has === 'function' && typeof r.list === 'function'
    );
  }, false);
}

interface Lookup<T> {
  readonly find: (name: string) => T | undefined;
  readonly names: () => string[];
}

function lookupOf<T>(source: unknown): Lookup<T> {
  if (isRegistry<T>(source)) {
    return {
      find: (n) =>
        safely(() => (source.has(n) ? source.get(n).unwrapOr(undefined) : undefined), undefined),
      names: () => safely(() => Array.from(source.list(), String), []),
    };
  }
  const record = (typeof source === 'object' && source !== null ? source : {}) as Record<string, T>;
  return {
    find: (n) => safely(() => (Object.hasOwn(record, n) ? record[n] : undefined), undefined),
    names: () => safely(() => Object.keys(record).sort(), []),
  };
}

/** Every name the spec uses that nothing is registered under, in one `not_found`. */
function checkNames(
  spec: GraphSpec,
  runnables: Lookup<Runnable<never>>,
  routers: Lookup<Router<never>>,
  conditions: Lookup<LoopCondition>,
): Result<void, OrchestrationError> {
  const missing = (names: string[], lookup: Lookup<unknown>) => [
    ...new Set(names.filter((n) => lookup.find(n) === undefined)),
  ];
  const noRunnable = missing(
    spec.nodes.map((n) => n.runnable),
    runnables,
  );
  const noRouter = missing(
    spec.conditionalEdges.map((c) => c.router),
    routers,
  );
  const noCondition = missing(
    spec.nodes.flatMap((n) => (n.loop === undefined ? [] : [n.loop.until])),
    conditions,
  );
  if (noRunnable.length === 0 && noRouter.length === 0 && noCondition.length === 0)
    return ok(undefined);
  const part = (kind: string, names: string[], lookup: Lookup<unknown>) => {
    const known = lookup.names();
    return `no ${kind} registered as ${listNames(names)} (registered: ${known.length ? listNames(known) : 'none'})`;
  };
  const parts = [
    ...(noRunnable.length ? [part('runnable', noRunnable, runnables)] : []),
    ...(noRouter.length ? [part('router', noRouter, routers)] : []),
    ...(noCondition.length ? [part('loop condition', noCondition, conditions)] : []),
  ];
  return err(
    new OrchestrationError('not_found', `${OP}: ${parts.join('; ')}`, {
      op: OP,
      details: { runnables: noRunnable, routers: noRouter, conditions: noCondition },
    }),
  );
}

/** The node's settings as options that set each field as recorded (none reads another). */
function nodeOptions(node: GraphSpecNode, conditions: Lookup<LoopCondition>): NodeOption[] {
  return [
    (draft) => {
      if (node.map !== undefined)
        draft.map = { ...node.map, concurrency: node.map.concurrency ?? Infinity };
      if (node.loop !== undefined) {
        const until = conditions.find(node.loop.until) as LoopCondition;
        draft.loop = { until, maxIterations: node.loop.maxIterations };
      }
      draft.priority = node.priority;
      draft.retries = node.retries;
      draft.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...node.retryPolicy };
      draft.timeoutMs = node.timeoutMs;
      if (node.cache !== undefined) draft.cache = { ...node.cache };
      // Validated by the node options' schema, which knows the rule names.
      if (node.triggerRule !== undefined) draft.triggerRule = node.triggerRule as TriggerRule;
      if (node.pure === true) draft.pure = true;
    },
  ];
}

function settingsOptions(spec: GraphSpec): GraphOption[] {
  const { settings: s } = spec;
  return [
    withGraphName(spec.name),
    withGraphDescription(spec.description),
    withGraphTimeout(s.timeoutMs),
    withGraphRetries(s.retries),
    withGraphMaxWorkers(s.maxWorkers ?? Infinity),
    withGraphParallelExecution(s.parallel),
    withGraphQueueSize(s.queueSize ?? Infinity),
    withGraphFailFast(s.failFast),
  ];
}

/**
 * Builds the graph a `GraphSpec` describes (e.g. JSON from `graph.toSpec()`), finding each
 * node's runnable and each router by the name the spec records. `options` come after the spec's
 * settings, so they add what a spec does not hold (checkpointer, telemetry) or override it.
 * Plain edges are declared before conditional ones.
 *
 * Fails with `invalid_config` for a malformed spec (naming the path, e.g. `nodes[2].priority`),
 * another `version`, or a fingerprint that does not match; `not_found` listing every runnable and
 * router name nothing is registered under, and what is registered; and with the graph's own
 * structure errors (unknown nodes in edges, cycles, ...).
 *
 * @example
 * const graph = graphFromSpec(JSON.parse(text), { runnables: { fetch, summarize } });
 */
export function graphFromSpec<I = unknown, O = unknown>(
  spec: unknown,
  bindings: SpecBindings,
  ...options: GraphOption[]
): Result<Graph<I, O>, OrchestrationError> {
  const parsed = parseSpec(spec);
  if (parsed.isErr()) return err(parsed.error);
  const s = parsed.value;
  const runnables = lookupOf<Runnable<never>>(safely(() => bindings.runnables, undefined));
  const routers = lookupOf<Router<never>>(safely(() => bindings.routers, undefined));
  const conditions = lookupOf<LoopCondition>(safely(() => bindings.conditions, undefined));
  const named = checkNames(s, runnables, routers, conditions);
  if (named.isErr()) return err(named.error);
  return createGraph<I, O>(...settingsOptions(s), ...options).andThen((graph) => {
    for (const node of s.nodes)
      graph.addNode(
        node.name,
        runnables.find(node.runnable) as Runnable<never>,
        ...nodeOptions(node, conditions),
      );
    for (const e of s.edges) graph.addEdge(e.from, e.to, { required: e.required });
    for (const c of s.conditionalEdges)
      graph.addConditionalEdges(c.from, routers.find(c.router) as Router, c.targets);
    if (s.entry !== undefined) graph.setEntryPoint(s.entry);
    if (s.finish !== undefined) graph.setFinishPoint(s.finish);
    // Every failed call above is remembered by the graph: validate reports them all.
    return graph.validate().map(() => graph);
  });
}
