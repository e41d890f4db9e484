import {
  createChainWithRegistry,
  defaultChainRegistry,
  withChainTimeout as chainTimeout,
  type AnyChainStep,
  type ChainOption,
  type CreateChainResult,
} from '@baton/chain';
import {
  createRunStats,
  OrchestrationError,
  withRunStats,
  type Chain,
  type ChainProvider,
  type Graph,
  type GraphProvider,
  type HealthChecker,
  type Option,
  type OrchestratorBase,
  type RunStats,
  type TelemetryOptions,
  type Workflow,
  type WorkflowProvider,
} from '@baton/core';
import {
  createGraphBuilder,
  createGraphWithRegistry,
  defaultGraphRegistry,
  withGraphCheckpointer,
  withGraphMaxWorkers as graphMaxWorkers,
  type GraphBuilder,
  type GraphOption,
} from '@baton/graph';
import {
  createWorkflowWithRegistry,
  defaultWorkflowRegistry,
  withTemporalConnection,
  withWorkflowTaskQueue as workflowTaskQueue,
  type WorkflowOption,
} from '@baton/workflow-temporal';
import { err, errAsync, type Result, type ResultAsync } from 'neverthrow';
import { resolve } from 'node:path';
import { BehaviorSubject } from 'rxjs';
import type { ZodType } from 'zod';
import {
  createActionRegistry,
  type ActionImplementation,
  type ActionRegistry,
} from './action-registry.js';
import { builtinActions } from './builtin-actions.js';
import { healthStream, orchestratorHealth } from './internal/orchestrator-health.js';
import { RunTracker } from './internal/run-tracker.js';
import { TemporalLink } from './internal/temporal-link.js';
import { TrackedChain, TrackedGraph } from './internal/tracked-runs.js';
import { isClosable, trackWorkflow, type Closable } from './internal/tracked-workflow.js';
import type { ModelDefinition } from './model-definition.js';
import { createModelRegistry, type ModelRegistry } from './model-registry.js';
import {
  buildPipelineGraph,
  runPipelineGraph,
  validateSource,
  type LoadedPipeline,
  type PipelineRun,
  type PipelineRunOptions,
  type PipelineSource,
} from './run-pipeline.js';
import { createTrigger } from './triggers/create-trigger.js';
import type { Trigger } from './triggers/trigger.js';
import type { TriggerOption } from './triggers/trigger-options.js';
import type { TriggerSource } from './triggers/trigger-source.js';
import type { TriggerTarget } from './triggers/trigger-targets.js';
import {
  resolveOrchestratorConfig,
  type OrchestratorConfig,
  type OrchestratorFeatures,
  type OrchestratorOption,
} from './orchestrator-options.js';

/**
 * Owns chains, graphs and workflows with their providers, the actions and models pipelines use,
 * and reports metrics and health over all of them. Every registry belongs to this Orchestrator
 * alone: two Orchestrators never share providers, actions or models.
 */
export interface Orchestrator extends OrchestratorBase {
  readonly config: Readonly<OrchestratorConfig>;
  /** The actions pipelines call, starting with the built-ins. */
  readonly actions: ActionRegistry;
  /** The models `generate_text` and `chat` pick from. */
  readonly models: ModelRegistry;
  /**
   * Count, error rate and duration percentiles of every chain, graph, pipeline and node this
   * Orchestrator created (`runStats.summary()`), kept in process; a component's own
   * `withRunStats` wins.
   */
  readonly runStats: RunStats;
  /** Like `createChain` from `@baton/chain`, with this Orchestrator's providers and defaults. */
  createChain<const S extends readonly AnyChainStep[], const O extends readonly ChainOption[] = []>(
    steps: S,
    ...options: O
  ): CreateChainResult<S, O>;
  /** Like `createGraph` from `@baton/graph`, with this Orchestrator's providers and defaults. */
  createGraph<I = unknown, O = unknown>(
    ...options: GraphOption[]
  ): Result<Graph<I, O>, OrchestrationError>;
  /** Like `createGraphBuilder` from `@baton/graph`; `build` creates the graph here. */
  createGraphBuilder(): GraphBuilder;
  /** Like `createWorkflow` from `@baton/workflow-temporal`, on this Orchestrator's Temporal. */
  createWorkflow<I = unknown, O = unknown>(
    definition: unknown,
    ...options: WorkflowOption[]
  ): Result<Workflow<I, O>, OrchestrationError>;
  registerChainProvider(name: string, provider: ChainProvider): Result<void, OrchestrationError>;
  registerGraphProvider(name: string, provider: GraphProvider): Result<void, OrchestrationError>;
  registerWorkflowProvider(
    name: string,
    provider: WorkflowProvider,
  ): Result<void, OrchestrationError>;
  /**
   * Adds an action pipelines can name. `schema` validates a task's parameters when the pipeline
   * is validated (rendered values again before each run).
   */
  registerAction(
    name: string,
    implementation: ActionImplementation,
    schema?: ZodType,
    description?: string,
  ): Result<void, OrchestrationError>;
  /** Adds a model `generate_text` and `chat` can pick. */
  registerModel(definition: ModelDefinition): Result<void, OrchestrationError>;
  /**
   * Reads, validates (every diagnostic at once, `invalid_config`) and compiles a pipeline against
   * this Orchestrator's actions and models, and builds its graph (with the checkpoint store, if
   * any): for `start`, `resume` and `toSpec`.
   */
  loadPipeline(source: PipelineSource): ResultAsync<LoadedPipeline, OrchestrationError>;
  /**
   * Runs a pipeline in-process with `input` (its pipeline inputs). The result has the pipeline's
   * outputs and which models answered each task.
   */
  runPipeline(
    source: PipelineSource,
    input: unknown,
    options?: PipelineRunOptions,
  ): ResultAsync<PipelineRun, OrchestrationError>;
  /**
   * Like `createTrigger`; `shutdown()` stops the trigger first (draining its runs up to the
   * shutdown timeout, then canceling and releasing the rest).
   */
  createTrigger<P>(
    source: TriggerSource<P>,
    target: TriggerTarget,
    ...options: TriggerOption[]
  ): Result<Trigger, OrchestrationError>;
  /**
   * Stops its triggers (they pull no more; their runs drain like the others) and accepting runs
   * (new ones fail with `invalid_state`), waits for running chains and graphs up to `timeoutMs`
   * (default `withShutdownTimeout`), cancels those still running (a trigger hands their events
   * back to its source), stops `health$` and closes Temporal connections. Idempotent: later calls return the same
   * promise.
   */
  shutdown(options?: { readonly timeoutMs?: number }): Promise<void>;
}

const FEATURE_OF = {
  chains: 'createChain',
  graphs: 'createGraph (and pipelines)',
  workflows: 'createWorkflow',
};

function disabled(feature: keyof OrchestratorFeatures): OrchestrationError {
  const op = FEATURE_OF[feature];
  return new OrchestrationError(
    'invalid_state',
    `${op}: ${feature} are disabled on this orchestrator; enable them with withFeatures({ ${feature}: true })`,
    { op, details: { feature } },
  );
}

/** The telemetry settings the Orchestrator passes on to what it creates. */
function telemetryOptions<C extends TelemetryOptions>(config: TelemetryOptions): Option<C>[] {
  const keys = ['tracerProvider', 'meterProvider', 'metricsPrefix', 'logger'] as const;
  return keys
    .filter((key) => config[key] !== undefined)
    .map((key) => (draft) => {
      (draft as Record<string, unknown>)[key] = config[key];
    });
}

/**
 * Creates an Orchestrator. Bad options fail with `invalid_config` naming the option.
 *
 * @example
 * const orchestrator = createOrchestrator(withGraphMaxWorkers(8), withFeatures({ workflows: false }));
 * if (orchestrator.isErr()) throw orchestrator.error;
 * const chain = orchestrator.value.createChain([(text: string) => text.trim()]);
 */
export function createOrchestrator(
  ...options: OrchestratorOption[]
): Result<Orchestrator, OrchestrationError> {
  return resolveOrchestratorConfig(options).map((config) => build(config));
}

function build(config: Readonly<OrchestratorConfig>): Orchestrator {
  const chains = defaultChainRegistry().clone();
  const graphs = defaultGraphRegistry().clone();
  const workflows = defaultWorkflowRegistry().clone();
  const tracker = new RunTracker();
  const models = createModelRegistry();
  const runStats = createRunStats();
  const settings = { ...config.actions, rootDir: resolve(config.actions.rootDir) };
  // `map` looks actions up when it runs, so it sees actions registered after it.
  const lookup = { get: (name: string) => actions.get(name), names: () => actions.names() };
  const actions: ActionRegistry = createActionRegistry(builtinActions(models, settings, lookup));
  const temporal = config.temporal === undefined ? undefined : new TemporalLink(config.temporal);
  const logger = config.logger;
  // Parts report health; held weakly so a created chain can be collected.
  const parts = new Set<WeakRef<HealthChecker>>();
  const closables = new Set<Closable>();
  const triggers = new Set<Trigger>();
  let stopped = false;
  const stopping$ = new BehaviorSubject(false);
  let shutdown: Promise<void> | undefined;
  const adopt = <T extends HealthChecker>(part: T): T => {
    parts.add(new WeakRef(part));
    return part;
  };
  const livingParts = (): HealthChecker[] => {
    const alive: HealthChecker[] = [];
    for (const ref of parts) {
      const part = ref.deref();
      if (part === undefined) parts.delete(ref);
      else alive.push(part);
    }
    return alive;
  };
  const refuse = (op: string): OrchestrationError | undefined => tracker.refusal(op);

  const orchestrator: Orchestrator = {
    config,
    actions,
    models,
    runStats,
    createChain(steps, ...options) {
      const problem = config.features.chains ? refuse('createChain') : disabled('chains');
      if (problem) return err(problem);
      const defaults: ChainOption[] = [
        chainTimeout(config.chainTimeoutMs),
        withRunStats(runStats),
        ...telemetryOptions(config),
      ];
      const created = createChainWithRegistry(
        chains,
        steps,
        ...defaults,
        ...options,
      ) as unknown as Result<Chain, OrchestrationError>;
      return created.map((chain) => adopt(new TrackedChain(chain, tracker))) as never;
    },
    createGraph<I, O>(...options: GraphOption[]) {
      const problem = config.features.graphs ? refuse('createGraph') : disabled('graphs');
      if (problem) return err(problem);
      const defaults: GraphOption[] = [
        graphMaxWorkers(config.graphMaxWorkers),
        withRunStats(runStats),
        ...telemetryOptions(config),
      ];
      if (config.checkpointStore !== undefined)
        defaults.push(withGraphCheckpointer(config.checkpointStore));
      return createGraphWithRegistry<I, O>(graphs, ...defaults, ...options).map(
        (graph) => adopt(new TrackedGraph(graph, tracker)) as Graph<I, O>,
      );
    },
    createGraphBuilder() {
      return createGraphBuilder((...options) => orchestrator.createGraph(...options));
    },
    createWorkflow<I, O>(definition: unknown, ...options: WorkflowOption[]) {
      const problem = config.features.workflows ? refuse('createWorkflow') : disabled('workflows');
      if (problem) return err(problem);
      const defaults: WorkflowOption[] = [
        workflowTaskQueue(config.workflowTaskQueue),
        ...telemetryOptions(config),
      ];
      if (temporal !== undefined)
        defaults.push(withTemporalConnection(temporal.connection(), temporal.namespace));
      return createWorkflowWithRegistry<I, O>(workflows, definition, ...defaults, ...options).map(
        (workflow) => {
          if (isClosable(workflow)) closables.add(workflow);
          return adopt(trackWorkflow(workflow, tracker, () => stopped));
        },
      );
    },
    registerChainProvider: (name, provider) => chains.register(name, provider),
    registerGraphProvider: (name, provider) => graphs.register(name, provider),
    registerWorkflowProvider: (name, provider) => workflows.register(name, provider),
    registerAction: (name, implementation, schema, description) =>
      actions.register(name, implementation, schema, description),
    registerModel: (definition) => models.register(definition),
    loadPipeline(source) {
      const problem = config.features.graphs ? refuse('loadPipeline') : disabled('graphs');
      if (problem) return errAsync(problem);
      const lookups = { actions, models };
      const options: GraphOption[] = [withRunStats(runStats), ...telemetryOptions(config)];
      if (config.checkpointStore !== undefined)
        options.push(withGraphCheckpointer(config.checkpointStore));
      return validateSource(source, lookups).andThen((pipeline) =>
        buildPipelineGraph(pipeline, lookups, options).map(({ compiled, graph }) => ({
          pipeline,
          compiled,
          graph: adopt(new TrackedGraph(graph, tracker)),
        })),
      );
    },
    runPipeline(source, input, runOptions = {}) {
      return orchestrator
        .loadPipeline(source)
        .andThen(({ graph }) => runPipelineGraph(graph, input, runOptions));
    },
    createTrigger(source, target, ...options) {
      if (shutdown !== undefined) {
        const op = 'createTrigger';
        return err(
          new OrchestrationError(
            'invalid_state',
            `${op}: the orchestrator is shutting down; create a new one with createOrchestrator()`,
            { op },
          ),
        );
      }
      return createTrigger(source, target, ...options).map((trigger) => {
        triggers.add(trigger);
        void trigger.done.then(() => triggers.delete(trigger));
        return trigger;
      });
    },
    getMetrics: () => tracker.metrics(),
    check: () =>
      orchestratorHealth({
        accepting: tracker.accepting,
        metrics: tracker.metrics(),
        temporal,
        checkpointStore: config.checkpointStore,
        models,
        parts: livingParts(),
      }),
    health$: healthStream(config.healthCheckIntervalMs, () => orchestrator.check(), stopping$),
    shutdown(shutdownOptions) {
      shutdown ??= (async () => {
        const timeoutMs = shutdownOptions?.timeoutMs ?? config.shutdownTimeoutMs;
        // Triggers stop pulling now; a run they had not started yet is released to its source.
        const triggersStopped = Promise.all(
          [...triggers].map((t) => t.stop({ drain: true, timeoutMs })),
        );
        tracker.close();
        stopping$.next(true);
        logger?.info('orchestrator shutting down', { ...tracker.metrics(), timeoutMs });
        if (!(await tracker.drain(timeoutMs))) {
          logger?.warn('orchestrator shutdown: canceling runs still going', {
            ...tracker.metrics(),
          });
          tracker.cancelAll();
          await tracker.drain(timeoutMs);
        }
        await triggersStopped;
        stopped = true;
        tracker.releaseWorkflows();
        await Promise.all([...closables].map((c) => c.close().catch(() => undefined)));
        await temporal?.close();
        logger?.info('orchestrator shut down', { ...tracker.metrics() });
      })();
      return shutdown;
    },
  };
  return orchestrator;
}
