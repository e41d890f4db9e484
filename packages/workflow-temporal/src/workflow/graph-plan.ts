import type { GraphSpec } from '@baton/core';
import {
  CONDITIONAL,
  OPTIONAL,
  REQUIRED,
  createScheduleGraph,
  triggerRuleCode,
  type ScheduleEdge,
  type ScheduleGraph,
} from '@baton/graph/scheduling';
import type { ActivityOptions } from '@temporalio/workflow';
import { ActivityCancellationType } from '@temporalio/workflow';
import type { GraphInterpreterSettings } from './graph-wire.js';
import type { PureCall } from './pure-node.js';
import { pureNames, pureRouter, pureRunnable } from './pure-runnables.js';

/** What the interpreter runs: the schedule and, per node, how to call its activity. */
export interface GraphPlan {
  readonly spec: GraphSpec;
  readonly graph: ScheduleGraph;
  /** Per node: the activity (runnable name). */
  readonly activity: readonly string[];
  /** Per node: retries after the first attempt. */
  readonly retries: readonly number[];
  /** Per node: the router's name, if it has one. */
  readonly router: readonly (string | undefined)[];
  /** Per node: the targets of its router, by name. */
  readonly targets: readonly (readonly string[] | undefined)[];
  /** Per node: node index of each router target. */
  readonly index: ReadonlyMap<string, number>;
  /** How many nodes run at once at most. */
  readonly concurrency: number;
  /** Activity options per node (shared between nodes with the same settings). */
  readonly options: readonly ActivityOptions[];
  /** Per node: how to run it inside the workflow when it is pure (`withNodePure`). */
  readonly pure: readonly (PureCall | undefined)[];
}

function registered(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.map((n) => `"${n}"`).join(', ');
}

/** How each pure node runs in the workflow; throws naming a node whose functions are missing. */
function pureCalls(
  spec: GraphSpec,
  options: readonly ActivityOptions[],
  router: readonly (string | undefined)[],
  targets: readonly (readonly string[] | undefined)[],
  settings: GraphInterpreterSettings,
): (PureCall | undefined)[] {
  return spec.nodes.map((node, i) => {
    if (node.pure !== true) return undefined;
    const run = pureRunnable(node.runnable);
    if (run === undefined)
      throw new Error(
        `node "${node.name}" is pure (withNodePure) but this workflow bundle has no pure runnable "${node.runnable}" (registered: ${registered(pureNames().runnables)}); register it with registerPureRunnables in the module given as createBatonWorker({ pureRunnablesPath })`,
      );
    const routerName = router[i];
    const route = routerName === undefined ? undefined : pureRouter(routerName);
    if (routerName !== undefined && route === undefined)
      throw new Error(
        `node "${node.name}" is pure (withNodePure) but this workflow bundle has no pure router "${routerName}" (registered: ${registered(pureNames().routers)}); register it with registerPureRouters in the module given as createBatonWorker({ pureRunnablesPath })`,
      );
    const retry = (options[i] as ActivityOptions).retry ?? {};
    return {
      graph: spec.name,
      node: node.name,
      run,
      router: route,
      targets: targets[i],
      attempts: retry.maximumAttempts ?? 1,
      initialInterval: Number(retry.initialInterval ?? 1),
      backoffCoefficient: retry.backoffCoefficient ?? 2,
      maximumInterval: Number(retry.maximumInterval ?? retry.initialInterval ?? 1),
      maxPayloadBytes: settings.maxPayloadBytes,
    };
  });
}

/**
 * Builds the plan of a decoded spec; throws an `Error` naming the problem (the caller turns it
 * into a non-retryable failure).
 */
export function planOf(spec: GraphSpec, settings: GraphInterpreterSettings): GraphPlan {
  const n = spec.nodes.length;
  const index = new Map(spec.nodes.map((node, i) => [node.name, i]));
  const at = (name: string): number => {
    const i = index.get(name);
    if (i === undefined) throw new Error(`the spec names an unknown node "${name}"`);
    return i;
  };
  const edges: ScheduleEdge[] = spec.edges.map((e) => ({
    from: at(e.from),
    to: at(e.to),
    kind: e.required ? REQUIRED : OPTIONAL,
  }));
  const router: (string | undefined)[] = new Array<string | undefined>(n);
  const targets: (readonly string[] | undefined)[] = new Array<readonly string[] | undefined>(n);
  for (const c of spec.conditionalEdges) {
    const from = at(c.from);
    router[from] = c.router;
    targets[from] = c.targets;
    for (const t of c.targets) edges.push({ from, to: at(t), kind: CONDITIONAL });
  }
  const built = createScheduleGraph({
    names: spec.nodes.map((node) => node.name),
    edges,
    triggerRule: spec.nodes.map((node) => Math.max(0, triggerRuleCode(node.triggerRule ?? ''))),
    priority: spec.nodes.map((node) => node.priority),
    entries: spec.entry?.map(at),
    finishes: spec.finish?.map(at),
  });
  if (built.isErr()) {
    const names = built.error.cycle.map((i) => `"${spec.nodes[i]?.name ?? i}"`).join(', ');
    throw new Error(`the graph has a cycle through ${names}`);
  }
  const s = spec.settings;
  const workers = s.parallel ? (s.maxWorkers ?? Infinity) : 1;
  const retries = spec.nodes.map((node) => node.retries ?? s.retries);
  const shared = new Map<string, ActivityOptions>();
  const options = spec.nodes.map((node, i) => {
    const p = node.retryPolicy;
    const attempts = (retries[i] as number) + 1;
    const timeout = node.timeoutMs > 0 ? node.timeoutMs : settings.defaultNodeTimeoutMs;
    const key = `${attempts}:${timeout}:${p.initialDelayMs}:${p.maxDelayMs}:${p.multiplier}`;
    let found = shared.get(key);
    if (found === undefined) {
      const initialInterval = Math.max(1, p.initialDelayMs);
      found = {
        startToCloseTimeout: timeout,
        heartbeatTimeout: settings.heartbeatTimeoutMs,
        retry: {
          maximumAttempts: attempts,
          initialInterval,
          backoffCoefficient: Math.max(1, p.multiplier),
          maximumInterval: Math.max(initialInterval, p.maxDelayMs),
        },
        // A canceled node ends only after its runnable saw its AbortSignal and stopped.
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      };
      shared.set(key, found);
    }
    return found;
  });
  return {
    spec,
    graph: built.value,
    activity: spec.nodes.map((node) => node.runnable),
    retries,
    router,
    targets,
    index,
    concurrency: Math.max(1, Math.min(workers, settings.maxPendingActivities)),
    options,
    pure: pureCalls(spec, options, router, targets, settings),
  };
}
