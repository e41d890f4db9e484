import {
  OrchestrationError,
  toOrchestrationError,
  type CheckpointStore,
  type EdgeOptions,
  type Graph,
  type GraphConfig,
  type GraphProvider,
  type GraphSpec,
  type HealthReport,
  type NodeConfig,
  type Option,
  type Router,
  type RunHandle,
  type ResumeOptions,
  type RunOptions,
  type Runnable,
  type StoredRun,
} from '@baton/core';
import {
  aggregateHealth,
  BaseRunnable,
  checkRunOptions,
  createTelemetry,
  healthReport,
  newRunId,
  recordRun,
  runWithHooks,
  tracedRun,
  type ExecutionContext,
  type Telemetry,
  type TracedRunOptions,
  showValue,
} from '@baton/core/authoring';
import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import { CheckpointWriter } from './internal/checkpoint-writer.js';
import { compileGraph, type CompiledGraph } from './internal/compile-graph.js';
import { graphError, listNames } from './internal/graph-errors.js';
import { GraphRun } from './internal/graph-run.js';
import { GraphStructure } from './internal/graph-structure.js';
import { rememberStructure } from './internal/graph-structures.js';
import { structureErrors } from './internal/structure-errors.js';
import { mergeMetadata, restoredNodes, storedNestedRun } from './internal/restore-run.js';
import { enclosingRun, nestedScope, topScope, type RunScope } from './internal/run-scope.js';
import { describeStructure, structureSpec } from './internal/structure-spec.js';
import { WorkerPool } from './internal/worker-pool.js';
import { GraphRunHandle } from './run-handle.js';
import { specToMermaid } from './spec-to-mermaid.js';

/** How `#launch` starts a run besides its input and context. */
interface LaunchOptions {
  readonly restored?: ReadonlyMap<number, unknown>;
  /** Nodes of a resumed run whose stored records it does not reuse (see `CheckpointWriter`). */
  readonly superseded?: readonly string[];
  readonly startedAt?: number;
  /** Answers to interrupts (`ResumeOptions.answers`, merged with those stored). */
  readonly answers?: Readonly<Record<string, unknown>>;
  /** Set for runs behind a handle, which get a signal per node (`cancelNode`). */
  readonly onRun?: (run: GraphRun) => void;
}

const NO_OPTIONS: LaunchOptions = {};

/** The graph of the `dag` provider: an in-process parallel DAG executor. */
class DagGraph<I, O> extends BaseRunnable<I, O> implements Graph<I, O> {
  readonly name: string;
  readonly description: string;
  readonly #config: Readonly<GraphConfig>;
  readonly #structure: GraphStructure;
  readonly #telemetry: Telemetry;
  /** Level 0 is shared by the runs callers start; level n by runs nested in n runs of this graph. */
  readonly #pools: WorkerPool<GraphRun>[];
  readonly #span: TracedRunOptions;
  #compiled: { version: number; result: Result<CompiledGraph, OrchestrationError> } | undefined;

  constructor(config: Readonly<GraphConfig>) {
    super();
    this.name = config.name;
    this.description = config.description;
    this.#config = config;
    this.#structure = new GraphStructure(config);
    rememberStructure(this, this.#structure);
    this.#telemetry = createTelemetry(config);
    const capacity = config.parallel ? config.maxWorkers : 1;
    this.#pools = [new WorkerPool(capacity, config.queueSize, !config.parallel)];
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
    if (this.#compiled?.version !== version) {
      const structure = this.#structure;
      const result = structureErrors(structure.errors, this.name, 'validate').andThen(() =>
        compileGraph(structure),
      );
      this.#compiled = { version, result };
    }
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
    return specToMermaid(describeStructure(this.#structure).spec);
  }

  toSpec(): Result<GraphSpec, OrchestrationError> {
    const structure = this.#structure;
    return this.#compile().andThen(() => structureSpec(structure, `${this.name}.toSpec`));
  }

  override run(input: I, ctx: ExecutionContext): Promise<O> {
    return this.#launch(input, ctx, NO_OPTIONS) as Promise<O>;
  }

  /**
   * Starts a run: at top level, or nested in the graph run `ctx.enclosing` names (the run of the
   * node it is a step of, or of the node that started it with `{ parent: ctx }`), with its own
   * checkpoint id and, when this graph encloses it, its own workers.
   */
  #launch(input: unknown, ctx: ExecutionContext, options: LaunchOptions): Promise<unknown> {
    const compiled = this.#freeze();
    if (compiled.isErr()) return Promise.reject(compiled.error);
    const graph = compiled.value;
    const outer = enclosingRun(ctx);
    const store = this.#config.checkpointer;
    if (outer === undefined) {
      const resuming = options.restored !== undefined;
      const scope = topScope(this, ctx.runId, resuming, store, options.answers);
      return this.#traced(graph, input, ctx, options, scope);
    }
    const restored = options.restored !== undefined;
    const nested = nestedScope(this, this.name, outer, ctx.runId, restored, store);
    if (nested.isErr()) return Promise.reject(nested.error);
    const scope = nested.value;
    if (store === undefined || !scope.resuming || restored)
      return this.#traced(graph, input, ctx, options, scope);
    // Inside a resumed run or a retried node, a nested run continues its stored run if it has one.
    // Its own nested runs look for theirs even when it runs afresh: a stale run deleted under
    // its id leaves its nested runs, and they would be partly overwritten and later restored.
    return storedNestedRun(store, this.#structure, graph, scope.checkpointId, input).then(
      (found) => {
        const launch =
          found === undefined
            ? options
            : {
                ...options,
                restored: found.restored,
                superseded: found.superseded,
                startedAt: found.startedAt,
              };
        return this.#traced(graph, input, ctx, launch, scope);
      },
    );
  }

  #traced(
    graph: CompiledGraph,
    input: unknown,
    ctx: ExecutionContext,
    options: LaunchOptions,
    scope: RunScope,
  ): Promise<unknown> {
    const store = this.#config.checkpointer;
    const hooks = this.#config.hooks;
    const stats = this.#config.runStats;
    const done = tracedRun(this.#telemetry, this.#span, ctx, (inner, span) => {
      const checkpoint =
        store === undefined
          ? undefined
          : new CheckpointWriter(
              store,
              this.#telemetry.logger,
              scope.checkpointId,
              this.name,
              input,
              options.startedAt ?? Date.now(),
              inner.metadata,
              scope.parent === undefined && options.restored === undefined,
              options.superseded,
              options.answers,
            );
      const launch = (value: unknown): Promise<unknown> => {
        const run = new GraphRun({
          graph,
          config: this.#config,
          pool: this.#poolAt(scope.level),
          telemetry: this.#telemetry,
          input: value,
          ctx: inner,
          tracing: span.isRecording(),
          restored: options.restored,
          checkpoint,
          scope,
          cancellable: options.onRun !== undefined,
        });
        options.onRun?.(run);
        return run.start();
      };
      // The checkpoint keeps the input as given: a resumed run runs `before` on it again.
      return hooks === undefined
        ? launch(input)
        : runWithHooks(hooks, this.name, input, inner, launch);
    });
    return recordRun(stats, 'graph', this.name, done);
  }

  /** The workers of runs nested in `level` runs of this graph, with the same limits. */
  #poolAt(level: number): WorkerPool<GraphRun> {
    const pools = this.#pools;
    const shared = pools[0] as WorkerPool<GraphRun>;
    while (pools.length <= level)
      pools.push(new WorkerPool(shared.capacity, shared.queueSize, shared.sequential));
    return pools[level] as WorkerPool<GraphRun>;
  }

  get checkpointer(): CheckpointStore | undefined {
    return this.#config.checkpointer;
  }

  start(input: I, options: RunOptions = {}): Result<RunHandle<O>, OrchestrationError> {
    const invalid = checkRunOptions(options, this.name);
    if (invalid !== undefined) return err(invalid);
    const compiled = this.#freeze();
    if (compiled.isErr()) return err(compiled.error);
    const { runId = newRunId(), ...rest } = options;
    return ok(this.#handle(compiled.value, input, runId, rest, NO_OPTIONS));
  }

  #handle(
    graph: CompiledGraph,
    input: unknown,
    runId: string,
    options: Omit<RunOptions, 'runId'>,
    launch: LaunchOptions,
  ): RunHandle<O> {
    return new GraphRunHandle<O>(this.name, graph.names, runId, options, (ctx, onRun) =>
      this.#launch(input, ctx, { ...launch, onRun }),
    );
  }

  resume(
    runId: string,
    options: ResumeOptions = {},
  ): ResultAsync<RunHandle<O>, OrchestrationError> {
    const op = `${this.name}.resume`;
    return this.#prepare(runId, options, op).andThen(({ store, graph, rest, answers }) =>
      loadStoredRun(store, runId, op).andThen((stored) =>
        this.#resumeStored(graph, stored, rest, answers, op),
      ),
    );
  }

  startOrResume(
    runId: string,
    input: I,
    options: ResumeOptions = {},
  ): ResultAsync<RunHandle<O>, OrchestrationError> {
    const op = `${this.name}.startOrResume`;
    return this.#prepare(runId, options, op).andThen(({ store, graph, rest, answers }) =>
      loadStoredRun(store, runId, op)
        .andThen((stored) => this.#resumeStored(graph, stored, rest, answers, op))
        .orElse((error) =>
          error.code === 'not_found'
            ? ok(this.#handle(graph, input, runId, rest, { answers }))
            : err(error),
        ),
    );
  }

  /** What `resume` and `startOrResume` check before reading the store. */
  #prepare(
    runId: string,
    options: ResumeOptions,
    op: string,
  ): ResultAsync<
    {
      store: CheckpointStore;
      graph: CompiledGraph;
      rest: Omit<RunOptions, 'runId'>;
      answers: Readonly<Record<string, unknown>>;
    },
    OrchestrationError
  > {
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
    const invalid = checkRunId(runId, op) ?? checkRunOptions(options, op);
    if (invalid !== undefined) return errAsync(invalid);
    const { answers = {}, ...rest } = options;
    const badAnswers = checkAnswers(answers, op);
    if (badAnswers !== undefined) return errAsync(badAnswers);
    const compiled = this.#freeze();
    if (compiled.isErr()) return errAsync(compiled.error);
    return okAsync({ store, graph: compiled.value, rest, answers });
  }

  #resumeStored(
    graph: CompiledGraph,
    stored: StoredRun,
    options: Omit<RunOptions, 'runId'>,
    given: Readonly<Record<string, unknown>>,
    op: string,
  ): Result<RunHandle<O>, OrchestrationError> {
    const unknownKey = unansweredKey(stored, given, op);
    if (unknownKey !== undefined) return err(unknownKey);
    const answers = { ...stored.run.answers, ...given };
    return restoredNodes(this.#structure, graph, stored, op).andThen(
      ({ input, restored, superseded, startedAt, metadata }) =>
        mergeMetadata(metadata, options.metadata, op).map((merged) =>
          this.#handle(
            graph,
            input,
            stored.run.runId,
            { ...options, metadata: merged },
            { restored, superseded, startedAt, answers },
          ),
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
      maxWorkers: (this.#pools[0] as WorkerPool<GraphRun>).capacity,
      runningNodes: this.#pools.reduce((n, pool) => n + pool.running, 0),
      waitingRuns: this.#pools.reduce((n, pool) => n + pool.waiting, 0),
    };
    const store = this.#config.checkpointer;
    return aggregateHealth(component, store === undefined ? [] : [store], { details });
  }
}

/** `answers` must be a record. */
function checkAnswers(answers: unknown, op: string): OrchestrationError | undefined {
  if (typeof answers === 'object' && answers !== null && !Array.isArray(answers)) return undefined;
  return new OrchestrationError(
    'invalid_config',
    `${op}: answers must be a record of answers by interrupt key (see handle.interrupts()), got ${showValue(answers)}`,
    { op, details: { field: 'answers' } },
  );
}

/**
 * An answer for a key the stored run never asked: a typo would otherwise be ignored and the
 * node would ask again.
 */
function unansweredKey(
  stored: StoredRun,
  answers: Readonly<Record<string, unknown>>,
  op: string,
): OrchestrationError | undefined {
  const known = { ...stored.run.answers, ...stored.run.interrupts };
  const extra = Object.keys(answers).filter((key) => !Object.hasOwn(known, key));
  if (extra.length === 0) return undefined;
  const asked = Object.keys(known);
  const expected =
    asked.length === 0 ? 'it has no interrupts' : `its interrupts are ${listNames(asked)}`;
  return new OrchestrationError(
    'invalid_config',
    `${op}: run "${stored.run.runId}" did not ask ${listNames(extra)}; ${expected}`,
    { op, details: { field: 'answers', keys: extra, interrupts: asked } },
  );
}

function checkRunId(runId: unknown, op: string): OrchestrationError | undefined {
  if (typeof runId === 'string' && runId.trim() !== '') return undefined;
  return new OrchestrationError(
    'invalid_config',
    `${op}: runId must be the non-empty id of a checkpointed run (see store.listRuns()), got ${showValue(runId)}`,
    { op, details: { field: 'runId' } },
  );
}

/** `store.loadRun(runId)`, with a store that throws or breaks the contract mapped to an Err. */
function loadStoredRun(
  store: CheckpointStore,
  runId: string,
  op: string,
): ResultAsync<StoredRun, OrchestrationError> {
  let loaded: unknown;
  try {
    loaded = store.loadRun(runId);
  } catch (error) {
    return errAsync(toOrchestrationError(error, `${op}: loadRun`, 'dependency_failed'));
  }
  const chainable =
    typeof loaded === 'object' &&
    loaded !== null &&
    typeof (loaded as { andThen?: unknown }).andThen === 'function';
  if (!chainable) {
    const message = `${op}: the checkpoint store's loadRun must return a ResultAsync`;
    return errAsync(new OrchestrationError('dependency_failed', message, { op }));
  }
  return loaded as ResultAsync<StoredRun, OrchestrationError>;
}

/** The built-in `dag` provider. */
export const dagGraphProvider: GraphProvider = {
  createGraph<I, O>(config: Readonly<GraphConfig>): Result<Graph<I, O>, OrchestrationError> {
    return ok(new DagGraph<I, O>(config));
  },
};
