import {
  aggregateHealth,
  BaseRunnable,
  createTelemetry,
  healthReport,
  newRunId,
  OrchestrationError,
  tracedRun,
  type EdgeOptions,
  type ExecutionContext,
  type Graph,
  type GraphConfig,
  type GraphProvider,
  type HealthReport,
  type NodeConfig,
  type Option,
  type Router,
  type RunHandle,
  type RunOptions,
  type Runnable,
  type StoredRun,
  type Telemetry,
  type TracedRunOptions,
} from '@baton/core';
import { err, errAsync, ok, type Result, type ResultAsync } from 'neverthrow';
import { CheckpointWriter } from './internal/checkpoint-writer.js';
import { compileGraph, type CompiledGraph } from './internal/compile-graph.js';
import { graphError } from './internal/graph-errors.js';
import { GraphRun } from './internal/graph-run.js';
import { GraphStructure } from './internal/graph-structure.js';
import { toMermaid } from './internal/to-mermaid.js';
import { WorkerPool } from './internal/worker-pool.js';
import { GraphRunHandle } from './run-handle.js';

/** How `#launch` starts a run besides its input and context. */
interface LaunchOptions {
  readonly restored?: ReadonlyMap<number, unknown>;
  readonly startedAt?: number;
  readonly onRun?: (run: GraphRun) => void;
}

/** The graph of the `dag` provider: an in-process parallel DAG executor. */
class DagGraph<I, O> extends BaseRunnable<I, O> implements Graph<I, O> {
  readonly name: string;
  readonly description: string;
  readonly #config: Readonly<GraphConfig>;
  readonly #structure: GraphStructure;
  readonly #telemetry: Telemetry;
  readonly #pool: WorkerPool<GraphRun>;
  readonly #span: TracedRunOptions;
  #compiled: { version: number; result: Result<CompiledGraph, OrchestrationError> } | undefined;

  constructor(config: Readonly<GraphConfig>) {
    super();
    this.name = config.name;
    this.description = config.description;
    this.#config = config;
    this.#structure = new GraphStructure(config);
    this.#telemetry = createTelemetry(config);
    const capacity = config.parallel ? config.maxWorkers : 1;
    this.#pool = new WorkerPool(capacity, config.queueSize, !config.parallel);
    this.#span = { kind: 'graph', name: config.name, spanName: 'baton.graph.invoke' };
  }

  addNode(
    name: string,
    runnable: Runnable<never>,
    ...options: Option<NodeConfig>[]
  ): Result<Graph<I, O>, OrchestrationError> {
    return this.#structure.addNode(name, runnable, options).map(() => this);
  }

  addEdge(
    from: string,
    to: string,
    options?: EdgeOptions,
  ): Result<Graph<I, O>, OrchestrationError> {
    return this.#structure.addEdge(from, to, options).map(() => this);
  }

  addConditionalEdges<T = unknown>(
    from: string,
    router: Router<T>,
    targets: readonly string[],
  ): Result<Graph<I, O>, OrchestrationError> {
    return this.#structure.addConditionalEdges(from, router, targets).map(() => this);
  }

  setEntryPoint(names: string | readonly string[]): Result<Graph<I, O>, OrchestrationError> {
    return this.#structure.setEntryPoint(names).map(() => this);
  }

  setFinishPoint(names: string | readonly string[]): Result<Graph<I, O>, OrchestrationError> {
    return this.#structure.setFinishPoint(names).map(() => this);
  }

  #compile(): Result<CompiledGraph, OrchestrationError> {
    const version = this.#structure.version;
    if (this.#compiled?.version !== version)
      this.#compiled = { version, result: compileGraph(this.#structure) };
    return this.#compiled.result;
  }

  /** Compiles and freezes the structure (only a valid structure freezes). */
  #freeze(): Result<CompiledGraph, OrchestrationError> {
    const compiled = this.#compile();
    if (compiled.isOk()) this.#structure.frozen = true;
    return compiled;
  }

  validate(): Result<void, OrchestrationError> {
    return this.#compile().map(() => undefined);
  }

  toMermaid(): string {
    return toMermaid(this.#structure);
  }

  override run(input: I, ctx: ExecutionContext): Promise<O> {
    return this.#launch(input, ctx, {}) as Promise<O>;
  }

  #launch(input: unknown, ctx: ExecutionContext, options: LaunchOptions): Promise<unknown> {
    const compiled = this.#freeze();
    if (compiled.isErr()) return Promise.reject(compiled.error);
    const graph = compiled.value;
    const store = this.#config.checkpointer;
    return tracedRun(this.#telemetry, this.#span, ctx, (inner, span) => {
      const checkpoint =
        store === undefined
          ? undefined
          : new CheckpointWriter(
              store,
              this.#telemetry.logger,
              inner.runId,
              this.name,
              input,
              options.startedAt ?? Date.now(),
              inner.metadata,
            );
      const run = new GraphRun({
        graph,
        config: this.#config,
        pool: this.#pool,
        telemetry: this.#telemetry,
        input,
        ctx: inner,
        tracing: span.isRecording(),
        restored: options.restored,
        checkpoint,
      });
      options.onRun?.(run);
      return run.start();
    });
  }

  start(input: I, options: RunOptions = {}): Result<RunHandle<O>, OrchestrationError> {
    const invalid = checkTimeout(this.name, options.timeoutMs);
    if (invalid !== undefined) return err(invalid);
    const compiled = this.#freeze();
    if (compiled.isErr()) return err(compiled.error);
    const { runId = newRunId(), ...rest } = options;
    return ok(this.#handle(compiled.value, input, runId, rest, {}));
  }

  #handle(
    graph: CompiledGraph,
    input: unknown,
    runId: string,
    options: Omit<RunOptions, 'runId'>,
    launch: LaunchOptions,
  ): RunHandle<O> {
    return new GraphRunHandle<O>(this.name, graph.size, runId, options, (ctx, onRun) =>
      this.#launch(input, ctx, { ...launch, onRun }),
    );
  }

  resume(
    runId: string,
    options: Omit<RunOptions, 'runId'> = {},
  ): ResultAsync<RunHandle<O>, OrchestrationError> {
    const op = `${this.name}.resume`;
    const store = this.#config.checkpointer;
    if (store === undefined) {
      return errAsync(
        graphError(
          'invalid_state',
          'no-checkpointer',
          op,
          'resuming needs checkpoints; create the graph withGraphCheckpointer(store)',
        ),
      );
    }
    const invalid = checkTimeout(this.name, options.timeoutMs);
    if (invalid !== undefined) return errAsync(invalid);
    const compiled = this.#freeze();
    if (compiled.isErr()) return errAsync(compiled.error);
    const graph = compiled.value;
    return store
      .loadRun(runId)
      .andThen((stored) => restoredNodes(this.#structure, graph, stored, op))
      .map(({ input, restored, startedAt, metadata }) =>
        this.#handle(
          graph,
          input,
          runId,
          { ...options, metadata: { ...metadata, ...options.metadata } },
          { restored, startedAt },
        ),
      );
  }

  async check(): Promise<HealthReport> {
    const component = `graph:${this.name}`;
    const compiled = this.#compile();
    if (compiled.isErr()) {
      return healthReport(component, 'unhealthy', {
        error: compiled.error.message,
        reason: compiled.error.details.reason,
      });
    }
    const details = {
      description: this.description,
      nodes: compiled.value.size,
      edges: compiled.value.edgeCount,
      maxWorkers: this.#pool.capacity,
      runningNodes: this.#pool.running,
      waitingRuns: this.#pool.waiting,
    };
    const store = this.#config.checkpointer;
    return aggregateHealth(component, store === undefined ? [] : [store], { details });
  }
}

function checkTimeout(name: string, timeoutMs: number | undefined): OrchestrationError | undefined {
  if (timeoutMs === undefined || (typeof timeoutMs === 'number' && timeoutMs > 0)) return undefined;
  return new OrchestrationError(
    'invalid_config',
    `${name}: timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`,
    {
      op: name,
      details: { field: 'timeoutMs', value: timeoutMs },
    },
  );
}

interface Restored {
  readonly input: unknown;
  readonly restored: ReadonlyMap<number, unknown>;
  readonly startedAt: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * The stored outputs of the nodes that succeeded, by node index, keeping only those whose inputs
 * will be the same on resume (see `keepConsistent`).
 */
function restoredNodes(
  structure: GraphStructure,
  graph: CompiledGraph,
  stored: StoredRun,
  op: string,
): Result<Restored, OrchestrationError> {
  const name = structure.config.name;
  if (stored.run.graph !== name) {
    return err(
      graphError(
        'invalid_state',
        'checkpoint-mismatch',
        op,
        `run "${stored.run.runId}" belongs to graph "${stored.run.graph}", not "${name}"`,
      ),
    );
  }
  const restored = new Map<number, unknown>();
  const skipped = new Set<number>();
  for (const record of stored.nodes) {
    if (record.status === 'failed') continue;
    const i = structure.index.get(record.node);
    if (i === undefined) {
      return err(
        graphError(
          'invalid_state',
          'checkpoint-mismatch',
          op,
          `run "${stored.run.runId}" has a node "${record.node}" this graph does not have; was the graph changed?`,
        ),
      );
    }
    if (record.status === 'skipped') skipped.add(i);
    else restored.set(i, record.output);
  }
  keepConsistent(graph, restored, skipped);
  return ok({
    input: stored.run.input,
    restored,
    startedAt: stored.run.startedAt,
    metadata: stored.run.metadata ?? {},
  });
}

/**
 * Drops a restored node when one of its parents will run again on resume (it failed, or its record
 * was never written): the node ran on inputs the resumed run will not give it, e.g. without the
 * output of an optional parent that failed. Parents that were skipped are skipped again (routers
 * are pure), so they keep their children. Walks in topological order, so drops cascade downwards.
 */
function keepConsistent(
  graph: CompiledGraph,
  restored: Map<number, unknown>,
  skipped: ReadonlySet<number>,
): void {
  const order = new Int32Array(graph.size);
  for (let i = 0; i < graph.size; i++) order[graph.topoRank[i] as number] = i;
  for (const i of order) {
    if (!restored.has(i)) continue;
    const end = graph.parentStart[i + 1] as number;
    for (let e = graph.parentStart[i] as number; e < end; e++) {
      const p = graph.parents[e] as number;
      if (!restored.has(p) && !skipped.has(p)) {
        restored.delete(i);
        break;
      }
    }
  }
}

/** The built-in `dag` provider. */
export const dagGraphProvider: GraphProvider = {
  createGraph<I, O>(config: Readonly<GraphConfig>): Result<Graph<I, O>, OrchestrationError> {
    return ok(new DagGraph<I, O>(config));
  },
};
