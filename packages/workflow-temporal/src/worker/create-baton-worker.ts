import { OrchestrationError, type Graph, type HealthChecker, type Router } from '@baton/core';
import { healthReport, showValue } from '@baton/core/authoring';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { ResultAsync, errAsync, okAsync } from 'neverthrow';
import { fromTemporalError } from '../from-temporal-error.js';
import { GRAPH_SPEC_ACTIVITY } from '../workflow/graph-wire.js';
import { graphSpecActivity, serveGraphs } from './graph-activities.js';
import { checkPureModule } from './pure-module.js';
import {
  createBatonActivities,
  type RunnableActivities,
  type RunnableActivity,
} from './runnable-activity.js';
import { tracingWorkerOptions, type BatonWorkerTracing } from './worker-tracing.js';

/** Settings of {@link createBatonWorker}. */
export interface BatonWorkerConfig {
  /** An open worker connection (the caller keeps owning it). @default connects to `address` */
  readonly connection?: NativeConnection;
  /** `host:port` of the Temporal frontend, when no `connection` is given. @default 'localhost:7233' */
  readonly address?: string;
  /** @default 'default' */
  readonly namespace?: string;
  /** The task queue to poll; workflows started with the same `withWorkflowTaskQueue` run here. @default 'baton' */
  readonly taskQueue?: string;
  /** Runnables registered as activities, by name. @default {} */
  readonly activities?: RunnableActivities;
  /**
   * Graphs whose nodes this worker runs for the `batonGraph` interpreter: each node's runnable is
   * registered under its name and each router is kept, and node calls are checked against the
   * graphs' fingerprints (a worker built from another version of the graph refuses them).
   * @default []
   */
  readonly graphs?: readonly Graph<never>[];
  /**
   * Routers of graphs given as GraphSpecs (not as `graphs`), by the name the spec records.
   * @default {}
   */
  readonly routers?: Readonly<Record<string, Router<never>>>;
  /**
   * Your workflows module (bundled by the worker). Re-export `batonRunnable` and `batonGraph`
   * from `@baton/workflow-temporal/workflow` in it to keep those workflows.
   * @default Baton's own workflows (`batonRunnable`, `batonGraph`)
   */
  readonly workflowsPath?: string;
  /**
   * A module bundled into the workflow sandbox that registers the pure runnables (and routers) of
   * the graphs' pure nodes (`withNodePure`) with `registerPureRunnables`. The worker loads it once
   * itself to check that every pure node of `graphs` is registered (`invalid_config` naming the
   * node otherwise). Not with a prebuilt `workflowBundle` (bundle the module into it).
   * @default none (a graph with a pure node then needs your own workflows module)
   */
  readonly pureRunnablesPath?: string;
  /** A prebuilt bundle (`bundleWorkflowCode`), instead of `workflowsPath`. */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * How often a running Runnable heartbeats, in ms; also the longest Temporal waits between
   * heartbeats it sends, so a cancel reaches the Runnable's AbortSignal within about this long.
   * @default 1000
   */
  readonly heartbeatIntervalMs?: number;
  /** How long `shutdown()` lets running activities finish before canceling them, in ms. @default 10000 */
  readonly shutdownGraceTimeMs?: number;
  /**
   * OpenTelemetry through `@temporalio/interceptors-opentelemetry`: spans for the workflow and
   * each activity, in the trace of the client that started the workflow (Baton's
   * `baton.workflow.execute` span), with the Runnables' spans nested in their activity's. Adds
   * Temporal's workflow interceptors to the bundle (ignored with a prebuilt `workflowBundle`:
   * bundle `TRACING_WORKFLOW_INTERCEPTORS` into it).
   * @default undefined (no tracing interceptors)
   */
  readonly tracing?: BatonWorkerTracing;
  /** Any other `Worker.create` option, passed through (ours win where both set one). */
  readonly workerOptions?: Partial<WorkerOptions>;
}

/** A running (or ready) Temporal worker that serves Baton Runnables as activities. */
export interface BatonWorker extends HealthChecker {
  readonly taskQueue: string;
  readonly namespace: string;
  /** The registered activity names. */
  readonly activityNames: readonly string[];
  /** The Temporal worker, for what Baton does not wrap. */
  readonly worker: Worker;
  /** Polls until `shutdown()`; resolves then, or fails if the worker crashed. Call once. */
  run(): ResultAsync<void, OrchestrationError>;
  /** Stops polling, lets running tasks finish (up to the grace time), waits for `run()`, disconnects. */
  shutdown(): ResultAsync<void, OrchestrationError>;
}

const DEFAULT_WORKFLOWS = new URL(
  `../workflow/index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

function invalid(message: string, field: string, value: unknown): OrchestrationError {
  return new OrchestrationError(
    'invalid_config',
    `createBatonWorker: ${message}, got ${showValue(value)}`,
    { op: 'createBatonWorker', details: { field, value } },
  );
}

function checkConfig(config: BatonWorkerConfig): OrchestrationError | undefined {
  if (typeof config !== 'object' || config === null)
    return invalid('config must be an object', 'config', config);
  const { taskQueue, namespace, heartbeatIntervalMs: hb, shutdownGraceTimeMs: grace } = config;
  if (taskQueue !== undefined && (typeof taskQueue !== 'string' || taskQueue.trim() === '')) {
    return invalid('taskQueue must be a non-empty string', 'taskQueue', taskQueue);
  }
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.trim() === '')) {
    return invalid('namespace must be a non-empty string', 'namespace', namespace);
  }
  if (hb !== undefined && !(typeof hb === 'number' && hb > 0 && Number.isFinite(hb))) {
    return invalid('heartbeatIntervalMs must be a number of ms > 0', 'heartbeatIntervalMs', hb);
  }
  if (grace !== undefined && !(typeof grace === 'number' && grace >= 0 && Number.isFinite(grace))) {
    return invalid('shutdownGraceTimeMs must be a number of ms >= 0', 'shutdownGraceTimeMs', grace);
  }
  return checkTracing(config.tracing);
}

const hasMethod = (value: unknown, method: string): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Record<string, unknown>)[method] === 'function';

function checkTracing(tracing: unknown): OrchestrationError | undefined {
  if (tracing === undefined) return undefined;
  if (typeof tracing !== 'object' || tracing === null)
    return invalid('tracing must be an object', 'tracing', tracing);
  const { tracerProvider, spanProcessor, resource } = tracing as BatonWorkerTracing;
  if (tracerProvider !== undefined && !hasMethod(tracerProvider, 'getTracer')) {
    const what = 'tracing.tracerProvider must be a TracerProvider (with getTracer)';
    return invalid(what, 'tracing.tracerProvider', tracerProvider);
  }
  if (spanProcessor !== undefined && !hasMethod(spanProcessor, 'onEnd')) {
    const what = 'tracing.spanProcessor must be an OpenTelemetry SpanProcessor (with onEnd)';
    return invalid(what, 'tracing.spanProcessor', spanProcessor);
  }
  if (resource !== undefined && (typeof resource !== 'object' || resource === null)) {
    return invalid(
      'tracing.resource must be an OpenTelemetry Resource',
      'tracing.resource',
      resource,
    );
  }
  return undefined;
}

/**
 * Creates a Temporal worker that registers Baton Runnables as activities by name (heartbeating,
 * canceled through their AbortSignal, `Err`s mapped to Temporal failures that keep the code and
 * retryability) and runs your workflows, or Baton's `batonRunnable` by default. A bad config fails
 * with `invalid_config`; an unreachable server with `dependency_failed`.
 *
 * @example
 * const worker = await createBatonWorker({ taskQueue: 'orders', activities: [chargeCard] });
 * if (worker.isErr()) throw worker.error;
 * const running = worker.value.run();
 * // ... on SIGTERM:
 * await worker.value.shutdown();
 */
export function createBatonWorker(
  config: BatonWorkerConfig,
): ResultAsync<BatonWorker, OrchestrationError> {
  const bad = checkConfig(config);
  if (bad !== undefined) return errAsync(bad);
  const heartbeatIntervalMs = config.heartbeatIntervalMs ?? 1_000;
  const served = serveGraphs(config.activities ?? {}, config.graphs ?? [], config.routers ?? {});
  if (served.isErr()) return errAsync(served.error);
  const { routers, fingerprints } = served.value;
  const activities = createBatonActivities(served.value.activities, {
    heartbeatIntervalMs,
    routers,
    fingerprints,
  });
  if (activities.isErr()) return errAsync(activities.error);
  const servedActivities = {
    ...activities.value,
    [GRAPH_SPEC_ACTIVITY]: graphSpecActivity(served.value.specs) as RunnableActivity,
  };
  const namespace = config.namespace ?? 'default';
  const taskQueue = config.taskQueue ?? 'baton';
  const given = config.connection;
  const owned = given === undefined;
  const connect = checkPureModule(config, served.value.specs.values()).andThen(() =>
    owned
      ? ResultAsync.fromPromise(
          NativeConnection.connect({ address: config.address ?? 'localhost:7233' }),
          (e) => fromTemporalError(e, 'createBatonWorker (connect)'),
        )
      : okAsync(given),
  );
  return connect.andThen((connection) =>
    ResultAsync.fromPromise(
      Worker.create(workerOptions(config, connection, namespace, taskQueue, servedActivities)),
      (e) => fromTemporalError(e, 'createBatonWorker', 'invalid_config'),
    )
      .orElse((error) =>
        (owned
          ? ResultAsync.fromSafePromise(connection.close().catch(() => {}))
          : okAsync(undefined)
        ).andThen(() => errAsync(error)),
      )
      .map((worker) =>
        batonWorker(
          worker,
          { namespace, taskQueue, activities: activities.value },
          owned ? connection : undefined,
        ),
      ),
  );
}

function workerOptions(
  config: BatonWorkerConfig,
  connection: NativeConnection,
  namespace: string,
  taskQueue: string,
  activities: Record<string, RunnableActivity>,
): WorkerOptions {
  const heartbeat = config.heartbeatIntervalMs ?? 1_000;
  const workflows =
    config.workflowBundle !== undefined
      ? { workflowBundle: config.workflowBundle }
      : { workflowsPath: config.workflowsPath ?? fileURLToPath(DEFAULT_WORKFLOWS) };
  const base = config.workerOptions ?? {};
  const traced = config.tracing === undefined ? {} : tracingWorkerOptions(config.tracing, base);
  const pure = config.pureRunnablesPath;
  const interceptors = traced.interceptors ?? base.interceptors;
  return {
    ...base,
    ...traced,
    ...(pure === undefined
      ? {}
      : {
          interceptors: {
            ...interceptors,
            workflowModules: [...(interceptors?.workflowModules ?? []), pure],
          },
        }),
    connection,
    namespace,
    taskQueue,
    activities,
    ...workflows,
    maxHeartbeatThrottleInterval: heartbeat,
    defaultHeartbeatThrottleInterval: heartbeat,
    shutdownGraceTime: config.shutdownGraceTimeMs ?? 10_000,
  };
}

function batonWorker(
  worker: Worker,
  info: { namespace: string; taskQueue: string; activities: Record<string, RunnableActivity> },
  ownedConnection: NativeConnection | undefined,
): BatonWorker {
  let running: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  const start = (): Promise<void> => {
    running ??= worker.run();
    return running;
  };
  return {
    namespace: info.namespace,
    taskQueue: info.taskQueue,
    activityNames: Object.keys(info.activities).sort(),
    worker,
    run: () =>
      ResultAsync.fromPromise(start(), (e) =>
        fromTemporalError(e, 'worker.run', 'execution_failed'),
      ),
    shutdown() {
      closing ??= (async () => {
        if (running === undefined) {
          // Never ran: run it just long enough to shut the native worker down cleanly.
          await worker.runUntil(Promise.resolve());
        } else {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running.catch(() => {}); // a crash is reported by run()
        }
        await ownedConnection?.close();
      })();
      return ResultAsync.fromPromise(closing, (e) =>
        fromTemporalError(e, 'worker.shutdown', 'execution_failed'),
      );
    },
    check() {
      const state = worker.getState();
      return Promise.resolve(
        healthReport(
          `temporal-worker:${info.taskQueue}`,
          state === 'RUNNING' ? 'healthy' : 'unhealthy',
          {
            state,
            namespace: info.namespace,
            taskQueue: info.taskQueue,
          },
        ),
      );
    },
  };
}
