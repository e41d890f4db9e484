/**
 * What the graph-on-Temporal suites share: the interpreter's workflow bundle (built from the
 * sources) and a worker on a task queue of its own, with graph workflows pointed at it.
 */
import { fileURLToPath } from 'node:url';
import type { Graph, GraphSpec } from '@baton/core';
import { newRunId } from '@baton/core/authoring';
import {
  createTemporalGraphWorkflow,
  withTemporalAddress,
  withWorkflowTaskQueue,
  type TemporalGraphWorkflow,
  type WorkflowOption,
} from '@baton/workflow-temporal';
import {
  createBatonWorker,
  type BatonWorker,
  type BatonWorkerConfig,
} from '@baton/workflow-temporal/worker';
import {
  DefaultLogger,
  Runtime,
  bundleWorkflowCode,
  makeTelemetryFilterString,
  type WorkflowBundle,
} from '@temporalio/worker';

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The interpreter's sandbox code as the worker loads it, with the scheduling rules from source. */
export function bundleBatonWorkflows(
  workflowsPath = source('../src/workflow/index.ts'),
  workflowInterceptorModules: readonly string[] = [],
): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [...workflowInterceptorModules],
    logger: new DefaultLogger('ERROR'),
    webpackConfigHook: (config) => {
      const resolve = config.resolve ?? {};
      const alias = resolve.alias;
      config.resolve = {
        ...resolve,
        alias: {
          ...(alias !== undefined && !Array.isArray(alias) ? alias : {}),
          '@baton/graph/scheduling$': source('../../graph/src/scheduling/index.ts'),
        },
      };
      return config;
    },
  });
}

/** The test's pure runnables module (registers them for `withNodePure` nodes). */
export const PURE_NODES_PATH = source('./workflows/pure-nodes.ts');

/** Failures the tests provoke on purpose would otherwise be logged as warnings. */
export function quietRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
  } catch {
    // already installed by another suite in this process
  }
}

export interface GraphWorkerHarness {
  readonly worker: BatonWorker;
  readonly taskQueue: string;
  /** A graph workflow on this worker's task queue. */
  workflow<I, O>(
    graph: Graph<I, O> | GraphSpec,
    ...options: WorkflowOption[]
  ): TemporalGraphWorkflow<I, O>;
  close(): Promise<void>;
}

/** Starts a worker serving `config` on a fresh task queue. */
export async function startGraphWorker(
  server: { address: string; namespace: string },
  bundle: WorkflowBundle,
  config: Omit<BatonWorkerConfig, 'address' | 'namespace' | 'taskQueue' | 'workflowBundle'>,
): Promise<GraphWorkerHarness> {
  const taskQueue = `baton-graph-${newRunId()}`;
  const worker = (
    await createBatonWorker({
      address: server.address,
      namespace: server.namespace,
      taskQueue,
      workflowBundle: bundle,
      heartbeatIntervalMs: 200,
      shutdownGraceTimeMs: 2_000,
      ...config,
    })
  )._unsafeUnwrap();
  const running = worker.run();
  const opened: { close(): Promise<void> }[] = [];
  return {
    worker,
    taskQueue,
    workflow(graph, ...options) {
      const wf = createTemporalGraphWorkflow(
        graph,
        withTemporalAddress(server.address, server.namespace),
        withWorkflowTaskQueue(taskQueue),
        ...options,
      )._unsafeUnwrap();
      opened.push(wf);
      return wf;
    },
    async close() {
      await Promise.all(opened.map((w) => w.close()));
      (await worker.shutdown())._unsafeUnwrap();
      (await running)._unsafeUnwrap();
    },
  };
}
