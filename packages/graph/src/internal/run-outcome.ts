import { OrchestrationError, type GraphConfig } from '@baton/core';
import { finishOutput } from '../scheduling/run-output.js';
import { SUCCEEDED } from '../scheduling/scheduler.js';
import type { CompiledGraph } from './compile-graph.js';
import { listNames } from './graph-errors.js';

/** What the result of a run is built from. */
export interface RunView {
  readonly graph: CompiledGraph;
  readonly state: Uint8Array;
  readonly outputs: readonly unknown[];
  readonly errors: ReadonlyMap<number, OrchestrationError>;
}

/** Outputs of every node that succeeded, by name. */
function succeededOutputs(view: RunView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { graph, state, outputs } = view;
  for (let i = 0; i < graph.size; i++) {
    if (state[i] === SUCCEEDED) out[(graph.nodes[i] as { name: string }).name] = outputs[i];
  }
  return out;
}

/** Errors of every node that failed, by name, in the order they failed. */
export function failures(view: RunView): Record<string, OrchestrationError> {
  const out: Record<string, OrchestrationError> = {};
  for (const [i, error] of view.errors) out[(view.graph.nodes[i] as { name: string }).name] = error;
  return out;
}

/**
 * The error of a failed run: the first failure that doomed the result, with every failure and
 * the outputs of the nodes that succeeded in `details`.
 */
export function runFailure(view: RunView, root: number): OrchestrationError {
  const graph = view.graph;
  const name = (graph.nodes[root] as { name: string }).name;
  const rootError = view.errors.get(root) as OrchestrationError;
  const failed = failures(view);
  const others = Object.keys(failed).filter((n) => n !== name);
  const more = others.length > 0 ? `; ${others.length} more failed: ${listNames(others, 5)}` : '';
  return new OrchestrationError(
    rootError.code,
    `${graph.name}: node "${name}" failed: ${rootError.message}${more}`,
    {
      op: graph.name,
      cause: rootError,
      retryable: rootError.retryable,
      details: { node: name, failures: failed, outputs: succeededOutputs(view) },
    },
  );
}

/**
 * The error of a node that did not run because a required dependency failed (`required`), or
 * because none of its dependencies succeeded and `dependency` failed (trigger rules
 * `one_success`, `none_failed_min_one_success`).
 */
export function dependencyFailed(
  graphName: string,
  node: string,
  dependency: string,
  root: string,
  rootError: OrchestrationError,
  required: boolean,
): OrchestrationError {
  const via = root === dependency ? '' : ` (because "${root}" failed)`;
  const why = required
    ? `its required dependency "${dependency}" failed`
    : `none of its dependencies succeeded and "${dependency}" failed`;
  return new OrchestrationError(
    'dependency_failed',
    `${graphName}: node "${node}" did not run: ${why}${via}: ${rootError.message}`,
    { op: `${graphName}.${node}`, cause: rootError, details: { node, dependency, root } },
  );
}

/**
 * The run's output: the only finish point's output, or a record of the finish points that
 * succeeded. Fails with `invalid_state` when no finish point has an output.
 */
export function runOutput(
  view: RunView,
): { ok: true; value: unknown } | { ok: false; error: OrchestrationError } {
  const { graph, state, outputs } = view;
  const found = finishOutput(graph, state, outputs);
  if (found.ok) return found;
  const names = found.finishes;
  return {
    ok: false,
    error: new OrchestrationError(
      'invalid_state',
      `${graph.name}: no finish point produced an output (${listNames(names)} skipped); a skip spreads along required edges, so join the branches of a router with withNodeTriggerRule('none_failed_min_one_success') (or optional edges, { required: false }, which also absorb failures)`,
      {
        op: graph.name,
        details: { finishPoints: names, outputs: succeededOutputs(view), failures: failures(view) },
      },
    ),
  };
}

/** The error of a run refused because every worker is busy and the queue is full. */
export function queueFull(config: Readonly<GraphConfig>, waiting: number): OrchestrationError {
  const { name, queueSize } = config;
  return new OrchestrationError(
    'resource_exhausted',
    `${name}: all workers are busy and ${waiting} runs already wait (withGraphQueueSize(${queueSize})); retry later or raise the queue size`,
    { op: name, details: { queueSize, waiting } },
  );
}

/** The error of a run that exceeded `withGraphTimeout`. */
export function graphTimeout(name: string, ms: number): OrchestrationError {
  return new OrchestrationError('timeout', `${name} timed out after ${ms} ms`, {
    op: name,
    details: { timeoutMs: ms },
  });
}

/** The abort reason running nodes see when fail fast stops the run. */
export function failFastReason(
  graph: string,
  node: string,
  error: OrchestrationError,
): OrchestrationError {
  return new OrchestrationError(
    'task_canceled',
    `${graph}: canceled because node "${node}" failed`,
    {
      op: graph,
      cause: error,
    },
  );
}
