import type { Result, ResultAsync } from 'neverthrow';
import type { Observable } from 'rxjs';
import type { CheckpointStore, RunStatus } from './checkpoint-store.js';
import type { OrchestrationError } from './errors.js';
import type { GraphSpec } from './graph-spec.js';
import type { HealthChecker } from './health.js';
import type { Option } from './options.js';
import type { RunEvent } from './run-event.js';
import type { Runnable, RunOptions } from './runnable.js';
import type { TelemetryOptions } from './telemetry.js';
import type { Hooks } from './hooks.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RunStatsConfig } from './run-stats.js';
import type { RateLimitOptions } from './with-rate-limit.js';
import type { CacheOptions } from './with-cache.js';
import type { RetryPolicy } from './retry-policy.js';

/** Options of `addEdge`. */
export interface EdgeOptions {
  /**
   * A required dependency must succeed for the dependent to run (a failure fails it with
   * `dependency_failed`, a skip skips it). An optional one (`false`) lets the dependent run
   * without that input when the dependency failed or was skipped.
   * @default true
   */
  readonly required?: boolean;
}

/** What a router returns: the name (or names) of the targets to run. */
export type RouteTargets = string | readonly string[];

/**
 * Picks targets from a node's output, synchronously or not. Targets not picked are skipped.
 * Routers should be pure: a resumed run calls them again on the stored output.
 */
export type Router<T = unknown> = (output: T) => RouteTargets | PromiseLike<RouteTargets>;

/**
 * Builds a node's input instead of the data-flow rules: receives the outputs of the parents that
 * succeeded, by name, and the graph input.
 */
export type NodeInputFn = (
  parents: Readonly<Record<string, unknown>>,
  graphInput: unknown,
) => unknown;

/**
 * When a node with parents runs, in Airflow's vocabulary; decided once every parent settled
 * (succeeded, failed or skipped). An optional edge (`{ required: false }`) never makes its child
 * fail or be skipped; it counts where a rule asks for a failure (`one_failed`, `all_failed`) and
 * as a success when it succeeded. Entry points always run. The full table is in `docs/graph.md`.
 *
 * - `all_success`: every required parent succeeded. A failed one fails the node with
 *   `dependency_failed`, else a skipped one (or a router that did not pick it) skips it.
 * - `all_done`: runs whatever the parents' outcomes.
 * - `all_failed`: every parent failed; else skipped.
 * - `one_success`: at least one parent succeeded; else `dependency_failed` when one failed,
 *   skipped when all were skipped.
 * - `one_failed`: at least one parent failed; else skipped.
 * - `none_failed`: no required parent failed (skips are fine); else `dependency_failed`.
 * - `none_failed_min_one_success`: no required parent failed and at least one parent succeeded.
 *   The rule for the join after a router: branches not taken are skipped, a branch taken that
 *   failed fails the join with `dependency_failed`; when nothing succeeded, a failed (optional)
 *   parent fails it too and all-skipped parents skip it.
 * - `none_skipped`: no required parent was skipped or routed out; failures are fine.
 */
export type TriggerRule =
  | 'all_success'
  | 'all_done'
  | 'all_failed'
  | 'one_success'
  | 'one_failed'
  | 'none_failed'
  | 'none_failed_min_one_success'
  | 'none_skipped';

/**
 * A map node (`withNodeMap`): its runnable runs once per item of the list the node receives,
 * and the node's output is the list of results in input order.
 */
export interface NodeMapConfig {
  /**
   * Items running at once.
   * @default 5
   */
  readonly concurrency: number;
  /**
   * Retries of a failed item after its first attempt (retryable errors only).
   * @default 0
   */
  readonly retries: number;
  /**
   * `'fail'`: a failed item fails the node. `'skip'`: it is left out of the output, and reported
   * (a `step-error` event with path `[node, index]`, and a warning through the graph's logger).
   * @default 'fail'
   */
  readonly onItemError: 'fail' | 'skip';
}

/** When a loop stops: called after each iteration with its output and number (1 for the first). */
export type LoopCondition = (output: never, iteration: number) => boolean | PromiseLike<boolean>;

/**
 * A loop node (`withNodeLoop`): its runnable runs on the node's input, then on its own output,
 * until `until` holds; the node's output is the last iteration's.
 */
export interface NodeLoopConfig {
  /** Stops the loop when it returns true. Name it (a named function) for `toSpec`. */
  readonly until: LoopCondition;
  /**
   * Iterations before the node fails with `resource_exhausted` (`details.limit`
   * `'maxIterations'`).
   * @default 10
   */
  readonly maxIterations: number;
}

/** Settings of one node, set with `withNode*` options on `addNode`. */
export interface NodeConfig {
  /**
   * Among ready nodes waiting for a worker, lower runs first: 0 urgent .. 3 low.
   * @default 2
   */
  readonly priority: number;
  /**
   * Retries of a failed attempt after the first; `undefined` uses the graph's `retries`.
   * @default undefined
   */
  readonly retries: number | undefined;
  /**
   * Backoff and which errors are retried. Its `maxAttempts` is always `retries + 1`.
   * @default DEFAULT_RETRY_POLICY
   */
  readonly retryPolicy: RetryPolicy;
  /**
   * Deadline of each attempt in ms (a timeout is retryable); 0 means none.
   * @default 0
   */
  readonly timeoutMs: number;
  /**
   * Caches the node's output by its input (see `withCache`).
   * @default undefined (no cache)
   */
  readonly cache: CacheOptions<unknown, unknown> | undefined;
  /**
   * Replaces the data-flow rules for this node's input.
   * @default undefined (entry: the graph input; one parent: its output; several: a record by name)
   */
  readonly input: NodeInputFn | undefined;
  /**
   * When the node runs, given how its parents ended (see `TriggerRule`).
   * @default 'all_success'
   */
  readonly triggerRule: TriggerRule;
  /**
   * Runs the node's runnable over every item of its input list (see `NodeMapConfig`).
   * @default undefined (runs once)
   */
  readonly map?: NodeMapConfig | undefined;
  /**
   * Repeats the node's runnable until a condition holds (see `NodeLoopConfig`).
   * @default undefined (runs once)
   */
  readonly loop?: NodeLoopConfig | undefined;
  /**
   * Code run around the node (see `Hooks`): once per node execution, outside its retries.
   * @default undefined (none)
   */
  readonly hooks?: Readonly<Hooks> | undefined;
  /**
   * Limits how fast the node's runnable is called (see `withRateLimit`); each attempt counts.
   * @default undefined (no limit)
   */
  readonly rateLimit?: RateLimitOptions | undefined;
  /**
   * The node's runnable is deterministic and free of I/O, so an engine that can (the Temporal
   * interpreter) runs it inline instead of as a separate task. In-process it changes nothing.
   * @default false
   */
  readonly pure?: boolean | undefined;
}

/** Settings of a graph, set with `withGraph*` options. */
export interface GraphConfig extends TelemetryOptions, RunStatsConfig {
  /**
   * Name used in errors, events, spans, metrics and checkpoints.
   * @default 'graph'
   */
  readonly name: string;
  /** @default '' */
  readonly description: string;
  /**
   * Deadline of a whole run in ms; exceeding it fails with `timeout`. 0 means none.
   * @default 0
   */
  readonly timeoutMs: number;
  /**
   * Retries of a failed node after its first attempt, for nodes without their own setting.
   * @default 0
   */
  readonly retries: number;
  /**
   * Nodes running at once, across all runs of this graph (`Infinity` for no limit).
   * @default 5
   */
  readonly maxWorkers: number;
  /**
   * `false` runs one node at a time, in topological order.
   * @default true
   */
  readonly parallel: boolean;
  /**
   * Runs that may wait for a free worker; a run beyond it fails at once with
   * `resource_exhausted`. `Infinity` means no limit.
   * @default Infinity
   */
  readonly queueSize: number;
  /**
   * `true`: the first failure that dooms the result aborts running nodes and fails the run.
   * `false`: every branch that can still run does, and the error reports all failures and the
   * partial outputs.
   * @default true
   */
  readonly failFast: boolean;
  /**
   * Writes one record per finished node (before its dependents start), so `resume(runId)` can
   * continue a run after a crash.
   * @default undefined (no checkpoints)
   */
  readonly checkpointer: CheckpointStore | undefined;
  /**
   * Name of the graph provider in the registry.
   * @default 'dag'
   */
  readonly provider: string;
  /**
   * Code run around each run of the graph (see `Hooks`).
   * @default undefined (none)
   */
  readonly hooks?: Readonly<Hooks> | undefined;
  /**
   * One budget shared by every node execution of the graph (each attempt counts).
   * @default undefined (no limit)
   */
  readonly rateLimit?: GraphRateLimit | undefined;
}

/** A graph-wide rate limit: the limiter every node execution draws on, and how. */
export interface GraphRateLimit extends RateLimitOptions {
  readonly limiter: RateLimiter;
}

/** Counts of a run's nodes. */
export interface RunProgress {
  readonly total: number;
  /** Not started yet (waiting for dependencies or a worker). */
  readonly pending: number;
  readonly running: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
}

/**
 * How a run that succeeded went: its output, and the nodes that failed without failing the run
 * (their failures were absorbed by optional edges or trigger rules), by name. `failures` is
 * empty when every node succeeded or was skipped.
 */
export interface RunReport<O = unknown> {
  readonly output: O;
  readonly failures: Readonly<Record<string, OrchestrationError>>;
}

/** Options of `graph.resume` and `graph.startOrResume`. */
export interface ResumeOptions extends Omit<RunOptions, 'runId'> {
  /**
   * Answers to the run's interrupts, by the keys of `handle.interrupts()` (a node's name, or
   * `sub/ask` for node `ask` of a graph run as node `sub`): `ctx.interrupt` returns them when
   * the interrupted nodes run again.
   * @default {}
   */
  readonly answers?: Readonly<Record<string, unknown>>;
}

/** A run started with `graph.start(input)` or `graph.resume(runId)`. */
export interface RunHandle<O = unknown> {
  readonly runId: string;
  /** `interrupted` once the run stopped for answers (see `StepContext.interrupt`). */
  status(): RunStatus;
  /**
   * What the run's nodes asked with `ctx.interrupt`, by key (empty unless the run ended
   * `interrupted`). Answer them with `graph.resume(runId, { answers })`.
   */
  interrupts(): Readonly<Record<string, unknown>>;
  /**
   * Cancels one node: its signal fires (or, not started yet, it does not start) and it fails
   * with `task_canceled`; its dependents follow the usual rules (an optional edge lets them
   * run). `not_found` for an unknown node, `invalid_state` once it settled or the run ended.
   */
  cancelNode(name: string): Result<void, OrchestrationError>;
  progress(): RunProgress;
  /**
   * The run's events as they happen (hot: subscribe right after `start` to see them all). It
   * completes when the run ends, also when it fails: the failure is a `step-error` event and
   * `result`.
   */
  readonly events$: Observable<RunEvent<O>>;
  /** Starts no new node until `resume()`; running nodes finish. */
  pause(): void;
  /** Continues a paused run. */
  resume(): void;
  /** Aborts the run: running nodes see their signal fire; the result is `task_canceled`. */
  cancel(reason?: string): void;
  /** The run's output or its error. */
  readonly result: ResultAsync<O, OrchestrationError>;
  /**
   * The run's output with the failures it absorbed, or its error: how to learn, without
   * subscribing to events, that a run succeeded although some of its nodes failed.
   */
  readonly report: ResultAsync<RunReport<O>, OrchestrationError>;
}

/**
 * A parallel DAG of Runnables where data flows along edges (implemented in `@baton/graph`).
 * Structure methods fail with `invalid_state` after the first run. A failed structure call is
 * remembered: `validate`, every run method, `toSpec` and `check` then fail with every such
 * error, so a graph whose `Err` was dropped never runs mis-wired.
 *
 * @example
 * // with createGraphBuilder from @baton/graph
 * const graph = createGraphBuilder()
 *   .node(fetchPage) // runnable('fetch', ...): the node is named "fetch"
 *   .node(summarize)
 *   .node(extractLinks)
 *   .edge('fetch', 'summary') // an unknown name is a compile error
 *   .edge('fetch', 'links')
 *   .build(); // Result<Graph<string, { summary: ...; links: ... }>, OrchestrationError>
 * if (graph.isErr()) console.error(graph.error.message); // every structure error, listed
 * else await graph.value.invoke(url); // ok({ summary, links }): both ran in parallel after fetch
 */
export interface Graph<I = unknown, O = unknown> extends Runnable<I, O>, HealthChecker {
  readonly description: string;
  /**
   * The store of this graph's checkpoints (`withGraphCheckpointer`): what a trigger reads to
   * learn whether an event's run exists. Undefined without checkpoints, or when the graph does
   * not say.
   */
  readonly checkpointer?: CheckpointStore | undefined;
  /** Adds a node; a duplicate name fails with `invalid_config`. */
  addNode(
    name: string,
    runnable: Runnable<never>,
    ...options: Option<NodeConfig>[]
  ): Result<Graph<I, O>, OrchestrationError>;
  /** `to` depends on `from`; unknown nodes fail with `not_found`, a self edge with `invalid_config`. */
  addEdge(from: string, to: string, options?: EdgeOptions): Result<Graph<I, O>, OrchestrationError>;
  /** After `from` succeeds, `router` picks which of `targets` run; the others are skipped. */
  addConditionalEdges<T = unknown>(
    from: string,
    router: Router<T>,
    targets: readonly string[],
  ): Result<Graph<I, O>, OrchestrationError>;
  /** Nodes that receive the graph input. @default the nodes without parents */
  setEntryPoint(names: string | readonly string[]): Result<Graph<I, O>, OrchestrationError>;
  /** Nodes whose outputs make the result. @default the nodes without children */
  setFinishPoint(names: string | readonly string[]): Result<Graph<I, O>, OrchestrationError>;
  /** Checks the structure (cycles, unreachable nodes, entry points) without running it. */
  validate(): Result<void, OrchestrationError>;
  /** A Mermaid flowchart; optional and conditional edges are drawn differently. */
  toMermaid(): string;
  /**
   * The graph as versioned, JSON-serialisable data (see `GraphSpec`). Fails with the structure
   * errors, and with `invalid_state` for what a spec cannot name (an anonymous router,
   * `withNodeInput`, a custom retry predicate or cache store/key).
   */
  toSpec(): Result<GraphSpec, OrchestrationError>;
  /** Starts a run in the background and returns its handle. */
  start(input: I, options?: RunOptions): Result<RunHandle<O>, OrchestrationError>;
  /**
   * Continues a checkpointed run: nodes that succeeded are not run again. Needs
   * `withGraphCheckpointer`; an unknown run fails with `not_found`.
   */
  resume(runId: string, options?: ResumeOptions): ResultAsync<RunHandle<O>, OrchestrationError>;
  /**
   * Starts run `runId` with `input`, or continues it when the store has it (the stored input
   * wins): what a supervisor calls again after any crash, without branching on `not_found` or
   * `run-exists`. Needs `withGraphCheckpointer`.
   */
  startOrResume(
    runId: string,
    input: I,
    options?: ResumeOptions,
  ): ResultAsync<RunHandle<O>, OrchestrationError>;
}

/** Builds graphs; registered under a name in a graph registry. */
export interface GraphProvider {
  /** `config` is validated and frozen. */
  createGraph<I, O>(config: Readonly<GraphConfig>): Result<Graph<I, O>, OrchestrationError>;
}
