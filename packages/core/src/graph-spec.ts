/**
 * The graph as data: a versioned, JSON-serialisable description of a graph's structure and
 * settings. `graph.toSpec()` produces one; `graphFromSpec(spec, { runnables, routers })` (in
 * `@baton/graph`) builds the same graph from it. Functions and stores are not part of a spec:
 * runnables and routers are named, and rebuilt from what those names are registered under.
 */

/** The serialisable part of a node's `RetryPolicy` (its `retryOn` is the default one). */
export interface GraphSpecRetryPolicy {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  readonly jitter: number;
}

/** A node's cache, without its store and key function (the default ones). */
export interface GraphSpecCache {
  /** @default `<graph>/<node>` */
  readonly namespace?: string;
  /** @default no expiry */
  readonly ttlMs?: number;
}

/** A map node's settings (`withNodeMap`). */
export interface GraphSpecMap {
  /** `null` stands for `Infinity`. */
  readonly concurrency: number | null;
  readonly retries: number;
  readonly onItemError: 'fail' | 'skip';
}

/** A loop node's settings (`withNodeLoop`); `until` is registered by name, as routers are. */
export interface GraphSpecLoop {
  readonly until: string;
  readonly maxIterations: number;
}

/** One node. */
export interface GraphSpecNode {
  readonly name: string;
  /** The name its runnable is registered under: the runnable's `name`. */
  readonly runnable: string;
  /** 0 urgent .. 3 low. */
  readonly priority: number;
  /** Retries after the first attempt; absent: the graph's `retries`. */
  readonly retries?: number;
  readonly retryPolicy: GraphSpecRetryPolicy;
  /** Deadline of each attempt in ms; 0 means none. */
  readonly timeoutMs: number;
  /** When the node runs, given how its parents ended; absent: the default rule. */
  readonly triggerRule?: string;
  /** Present when the node caches its output. */
  readonly cache?: GraphSpecCache;
  /** Present for a map or loop node: how its runnable is repeated. */
  readonly kind?: 'map' | 'loop';
  /** Present when `kind` is `'map'`. */
  readonly map?: GraphSpecMap;
  /** Present when `kind` is `'loop'`. */
  readonly loop?: GraphSpecLoop;
  /** Present (`true`) when the node is pure (`withNodePure`): an engine may run it inline. */
  readonly pure?: true;
}

/** `to` depends on `from`. */
export interface GraphSpecEdge {
  readonly from: string;
  readonly to: string;
  /** `false`: `to` runs without this input when `from` failed or was skipped. */
  readonly required: boolean;
}

/** After `from` succeeds, the router registered as `router` picks which of `targets` run. */
export interface GraphSpecConditionalEdges {
  readonly from: string;
  readonly router: string;
  readonly targets: readonly string[];
}

/** Graph settings (`withGraph*`); `null` stands for `Infinity` (no limit), which JSON cannot hold. */
export interface GraphSpecSettings {
  readonly timeoutMs: number;
  readonly retries: number;
  readonly maxWorkers: number | null;
  readonly parallel: boolean;
  readonly queueSize: number | null;
  readonly failFast: boolean;
}

/** A graph as data (version 1). */
export interface GraphSpec {
  /** The format version; this release reads and writes 1. */
  readonly version: 1;
  readonly name: string;
  readonly description: string;
  readonly settings: GraphSpecSettings;
  /** In declaration order. */
  readonly nodes: readonly GraphSpecNode[];
  /** Required and optional edges, in declaration order. */
  readonly edges: readonly GraphSpecEdge[];
  readonly conditionalEdges: readonly GraphSpecConditionalEdges[];
  /** Declared entry points; absent: the nodes without parents. */
  readonly entry?: readonly string[];
  /** Declared finish points; absent: the nodes without children. */
  readonly finish?: readonly string[];
  /**
   * FNV-1a 64 (16 hex digits) of the canonical JSON of what decides how a run goes: node names,
   * runnable names, priorities and trigger rules, edges, conditional edges, entry and finish
   * points. Retries, timeouts, caches and graph settings do not change it.
   */
  readonly fingerprint: string;
}
