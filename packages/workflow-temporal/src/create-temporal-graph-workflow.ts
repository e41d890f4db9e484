import {
  ERROR_CODES,
  OrchestrationError,
  runnable,
  type ErrorCode,
  type Graph,
  type GraphSpec,
  type GraphSpecNode,
  type Router,
  type Runnable,
  type RunReport,
  type Workflow,
} from '@baton/core';
import { showValue } from '@baton/core/authoring';
import { graphFromSpec } from '@baton/graph';
import { err, errAsync, ok, type Result, type ResultAsync } from 'neverthrow';
import {
  DEFAULT_TEMPORAL_WORKFLOW_CONFIG,
  resolveTemporalWorkflowConfig,
  type TemporalWorkflowConfig,
  type WorkflowOption,
} from './temporal-workflow-options.js';
import { temporalWorkflow } from './temporal-workflow.js';
import type { BatonGraphInput } from './workflow/baton-graph.js';
import {
  DEFAULT_GRAPH_INTERPRETER_SETTINGS,
  GRAPH_QUERIES,
  GRAPH_SIGNALS,
  jsonBytes,
  type GraphEvent,
  type GraphProgress,
  type GraphWireResult,
  type NodeStatus,
  type WireError,
} from './workflow/graph-wire.js';
import { encodeSpec, unsupportedFeature } from './workflow/wire-spec.js';

/**
 * How a graph run on Temporal ended, in the shape of the in-process `RunReport`: the output and
 * the failures the run absorbed, plus every node's outcome and the succeeded nodes' outputs.
 */
export interface GraphRunResult<O = unknown> extends RunReport<O> {
  /** Outputs of the nodes that succeeded, by name; absent when over the payload limit. */
  readonly outputs?: Readonly<Record<string, unknown>>;
  /** Every settled node's outcome, by name. */
  readonly nodes: Readonly<Record<string, NodeStatus>>;
  /** Executions the run spanned (1 + times it continued as new). */
  readonly runs: number;
}

/** A graph that runs on Temporal through the `batonGraph` interpreter workflow. */
export interface TemporalGraphWorkflow<I = unknown, O = unknown> extends Workflow<
  I,
  GraphRunResult<O>
> {
  /** The spec every execution runs; its fingerprint is pinned in each execution's input. */
  readonly spec: GraphSpec;
  readonly workflowType: string;
  readonly config: Readonly<TemporalWorkflowConfig>;
  /** Node counts and status of a running execution. */
  progress(workflowId: string, runId?: string): ResultAsync<GraphProgress, OrchestrationError>;
  /** Events of the live view after sequence number `after` (the newest kept, see `maxEvents`). */
  events(
    workflowId: string,
    after?: number,
  ): ResultAsync<readonly GraphEvent[], OrchestrationError>;
  /** Starts no new node until `resume`; running nodes finish. */
  pause(workflowId: string): ResultAsync<void, OrchestrationError>;
  resume(workflowId: string): ResultAsync<void, OrchestrationError>;
  /** Closes the connection this workflow opened (not one given with `withTemporalConnection`). */
  close(): Promise<void>;
}

const OP = 'createTemporalGraphWorkflow';

function invalid(message: string, details: Readonly<Record<string, unknown>> = {}) {
  return new OrchestrationError('invalid_config', `${OP}: ${message}`, { op: OP, details });
}

const isCode = (code: unknown): code is ErrorCode =>
  (ERROR_CODES as readonly unknown[]).includes(code);

/** A recorded error as the OrchestrationError it was. */
function toError(node: string, e: WireError): OrchestrationError {
  return new OrchestrationError(isCode(e.code) ? e.code : 'execution_failed', e.message, {
    op: node,
    retryable: e.retryable,
    details: e.details ?? {},
  });
}

function toErrors(
  failures: Readonly<Record<string, WireError>>,
): Record<string, OrchestrationError> {
  const out: Record<string, OrchestrationError> = {};
  for (const [node, e] of Object.entries(failures)) out[node] = toError(node, e);
  return out;
}

/** A run's error, with `details.failures` as OrchestrationErrors (as in-process). */
function withErrors(error: OrchestrationError): OrchestrationError {
  const failures = (error.details as { failures?: unknown }).failures;
  if (typeof failures !== 'object' || failures === null) return error;
  return new OrchestrationError(error.code, error.message, {
    op: error.op,
    cause: error.cause,
    retryable: error.retryable,
    details: { ...error.details, failures: toErrors(failures as Record<string, WireError>) },
  });
}

/** The spec of a graph, or a spec checked by building a graph from it with stand-in runnables. */
function specOf(graphOrSpec: unknown): Result<GraphSpec, OrchestrationError> {
  const toSpec = (graphOrSpec as { toSpec?: unknown } | null)?.toSpec;
  if (typeof toSpec === 'function') return (graphOrSpec as Graph).toSpec();
  const raw = graphOrSpec as GraphSpec;
  if (typeof raw !== 'object' || raw === null || !Array.isArray(raw.nodes))
    return err(invalid(`expected a Graph or a GraphSpec, got ${showValue(graphOrSpec)}`));
  const feature = unsupportedFeature(raw);
  if (feature !== undefined)
    return err(invalid(`not supported on Temporal: ${feature}`, { feature }));
  const standIns: Record<string, Runnable<never>> = {};
  for (const node of raw.nodes as readonly GraphSpecNode[])
    standIns[node.runnable] = runnable(node.runnable, () => undefined);
  const routers: Record<string, Router<never>> = {};
  for (const edge of raw.conditionalEdges ?? []) routers[edge.router] = () => [];
  return graphFromSpec(raw, { runnables: standIns, routers }).andThen((g) => g.toSpec());
}

/**
 * A graph as a durable Temporal workflow: each execution runs the `batonGraph` interpreter,
 * which schedules the graph's nodes by the same rules as in-process and runs each as an activity
 * on the workers that registered its runnable (`createBatonWorker({ graphs })`). `getResult`
 * gives the output, every node's outcome and the failures the run absorbed. Takes a Graph or a
 * GraphSpec; what the interpreter cannot run (caching, unknown spec features) fails here with
 * `invalid_config` naming it.
 *
 * @example
 * const wf = createTemporalGraphWorkflow(graph, withWorkflowTaskQueue('graphs'));
 * if (wf.isErr()) throw wf.error;
 * const run = await wf.value.execute(input);
 * if (run.isOk()) console.log(await wf.value.getResult(run.value.workflowId));
 */
export function createTemporalGraphWorkflow<I = unknown, O = unknown>(
  graphOrSpec: Graph<I, O> | GraphSpec,
  ...options: WorkflowOption[]
): Result<TemporalGraphWorkflow<I, O>, OrchestrationError> {
  const spec = specOf(graphOrSpec);
  if (spec.isErr()) return err(spec.error);
  const feature = unsupportedFeature(spec.value);
  if (feature !== undefined)
    return err(invalid(`not supported on Temporal: ${feature}`, { feature }));
  const defaults = { ...DEFAULT_TEMPORAL_WORKFLOW_CONFIG, name: spec.value.name };
  const config = resolveTemporalWorkflowConfig(defaults, options, OP);
  if (config.isErr()) return err(config.error);
  const settings = { ...DEFAULT_GRAPH_INTERPRETER_SETTINGS, ...config.value.graphInterpreter };
  const wire = encodeSpec(spec.value);
  const inner = temporalWorkflow<BatonGraphInput, GraphWireResult>('batonGraph', config.value);
  const name = config.value.name;
  return ok({
    ...inner,
    spec: spec.value,
    execute(input, executeOptions) {
      const args: { -readonly [K in keyof BatonGraphInput]: BatonGraphInput[K] } = {
        spec: wire,
        fingerprint: spec.value.fingerprint,
        input,
        ...(config.value.graphInterpreter === undefined
          ? {}
          : { settings: config.value.graphInterpreter }),
      };
      // A large spec goes by reference: the workers that serve the graph supply it.
      const inline = jsonBytes(args);
      const byReference = inline > settings.inlineSpecMaxBytes;
      if (byReference) delete args.spec;
      const bytes = byReference ? jsonBytes(args) : inline;
      if (bytes > settings.maxPayloadBytes)
        return errAsync(
          new OrchestrationError(
            'invalid_input',
            `${name}.execute: the graph and its input are ${bytes} bytes of JSON, over maxPayloadBytes (${settings.maxPayloadBytes}); pass a reference (e.g. a storage key) as input`,
            {
              op: `${name}.execute`,
              details: { bytes, maxPayloadBytes: settings.maxPayloadBytes },
            },
          ),
        );
      return inner.execute(args, executeOptions);
    },
    getResult(workflowId, runId) {
      return inner
        .getResult(workflowId, runId)
        .map((r): GraphRunResult<O> => ({
          output: r.output as O,
          ...(r.outputs === undefined ? {} : { outputs: r.outputs }),
          nodes: r.nodes,
          failures: toErrors(r.failures),
          runs: r.runs,
        }))
        .mapErr(withErrors);
    },
    progress: (workflowId, runId) =>
      inner.query<GraphProgress>(workflowId, runId, GRAPH_QUERIES.progress),
    events: (workflowId, after = -1) =>
      inner.query<readonly GraphEvent[]>(workflowId, undefined, GRAPH_QUERIES.events, after),
    pause: (workflowId) => inner.signal(workflowId, undefined, GRAPH_SIGNALS.pause),
    resume: (workflowId) => inner.signal(workflowId, undefined, GRAPH_SIGNALS.resume),
  });
}
