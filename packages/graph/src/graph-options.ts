import {
  type CheckpointStore,
  type GraphConfig,
  type Option,
  type OrchestrationError,
} from '@baton/core';
import { resolveOptions, telemetryOptionsShape } from '@baton/core/authoring';
import type { Result } from 'neverthrow';
import { z } from 'zod';

/** A functional option of `createGraph`. */
export type GraphOption = Option<GraphConfig>;

/** The defaults every graph starts from. */
export const DEFAULT_GRAPH_CONFIG: Readonly<GraphConfig> = Object.freeze({
  name: 'graph',
  description: '',
  timeoutMs: 0,
  retries: 0,
  maxWorkers: 5,
  parallel: true,
  queueSize: Infinity,
  failFast: true,
  checkpointer: undefined,
  provider: 'dag',
});

/** Node's setTimeout fires at once for delays above this (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/** A whole number >= `min`, or Infinity (zod 4 numbers reject Infinity by default). */
const countOrInfinity = (option: string, min: number) =>
  z.custom<number>(
    (v) => v === Infinity || (typeof v === 'number' && Number.isInteger(v) && v >= min),
    { error: `${option} expects a whole number >= ${min} or Infinity` },
  );

const isCheckpointStore = (value: unknown): value is CheckpointStore => {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return ['saveRun', 'saveNode', 'loadRun'].every(
      (m) => typeof (value as Record<string, unknown>)[m] === 'function',
    );
  } catch {
    return false; // its getters throw (a Proxy): not a store the graph can call
  }
};

const graphConfigSchema = z.object({
  name: z
    .string({ error: 'withGraphName expects a string' })
    .trim()
    .min(1, { error: 'withGraphName expects a non-empty name' }),
  description: z.string({ error: 'withGraphDescription expects a string' }),
  timeoutMs: z
    .number({ error: 'withGraphTimeout expects a number of milliseconds' })
    .min(0, { error: 'withGraphTimeout expects milliseconds >= 0 (0 means no timeout)' })
    .max(MAX_TIMER_MS, { error: `withGraphTimeout expects at most ${MAX_TIMER_MS} ms` }),
  retries: z
    .number({ error: 'withGraphRetries expects a number' })
    .int({ error: 'withGraphRetries expects a whole number of retries' })
    .min(0, { error: 'withGraphRetries expects retries >= 0 (0 runs each node once)' }),
  maxWorkers: countOrInfinity('withGraphMaxWorkers', 1),
  parallel: z.boolean({ error: 'withGraphParallelExecution expects true or false' }),
  queueSize: countOrInfinity('withGraphQueueSize', 0),
  failFast: z.boolean({ error: 'withGraphFailFast expects true or false' }),
  checkpointer: z.custom<CheckpointStore | undefined>(
    (v) => v === undefined || isCheckpointStore(v),
    {
      error: 'withGraphCheckpointer expects a CheckpointStore (saveRun, saveNode, loadRun, ...)',
    },
  ),
  provider: z
    .string({ error: 'withGraphProvider expects a string' })
    .trim()
    .min(1, { error: 'withGraphProvider expects a non-empty provider name' }),
  ...telemetryOptionsShape,
}) as unknown as z.ZodType<GraphConfig>;

/** Applies `options` to the defaults and validates them once (`invalid_config` names the option). */
export function resolveGraphConfig(
  options: readonly GraphOption[],
): Result<Readonly<GraphConfig>, OrchestrationError> {
  return resolveOptions<GraphConfig>(
    DEFAULT_GRAPH_CONFIG,
    options,
    graphConfigSchema,
    'createGraph',
  );
}

/** Names the graph in errors, events, spans, metrics and checkpoints. @default 'graph' */
export function withGraphName(name: string): GraphOption {
  return (draft) => {
    draft.name = name;
  };
}

/** A human description, shown by health reports. @default '' */
export function withGraphDescription(description: string): GraphOption {
  return (draft) => {
    draft.description = description;
  };
}

/**
 * Deadline of a whole run in ms: exceeding it aborts every running node and fails with
 * `timeout`. 0 means none.
 * @default 0
 */
export function withGraphTimeout(timeoutMs: number): GraphOption {
  return (draft) => {
    draft.timeoutMs = timeoutMs;
  };
}

/**
 * Retries of a failed node after its first attempt, for every node without `withNodeRetries`.
 * Only the failed node runs again, with the same input.
 * @default 0
 */
export function withGraphRetries(retries: number): GraphOption {
  return (draft) => {
    draft.retries = retries;
  };
}

/**
 * How many nodes run at once, across every run of this graph (`Infinity`: no limit).
 * @default 5
 */
export function withGraphMaxWorkers(maxWorkers: number): GraphOption {
  return (draft) => {
    draft.maxWorkers = maxWorkers;
  };
}

/**
 * `false` runs one node at a time in topological order (declaration order among independent
 * nodes), ignoring priorities and `maxWorkers`.
 * @default true
 */
export function withGraphParallelExecution(parallel: boolean): GraphOption {
  return (draft) => {
    draft.parallel = parallel;
  };
}

/**
 * How many runs may wait for a free worker while all are busy; one more fails at once with
 * `resource_exhausted`. 0 admits no waiting run.
 * @default Infinity
 */
export function withGraphQueueSize(queueSize: number): GraphOption {
  return (draft) => {
    draft.queueSize = queueSize;
  };
}

/**
 * `true`: the first failure that dooms the result (it reaches a finish point or a sink through
 * required edges) aborts the running nodes and fails the run at once. `false`: every node that
 * can still run does; the error then lists all failures and carries the partial outputs.
 * @default true
 */
export function withGraphFailFast(failFast: boolean): GraphOption {
  return (draft) => {
    draft.failFast = failFast;
  };
}

/**
 * Records each run and each finished node in `store`, so `graph.resume(runId)` continues a run
 * after a crash without running finished nodes again.
 * @default undefined (no checkpoints)
 */
export function withGraphCheckpointer(store: CheckpointStore): GraphOption {
  return (draft) => {
    draft.checkpointer = store;
  };
}

/** Builds the graph with the provider registered under `name`. @default 'dag' */
export function withGraphProvider(name: string): GraphOption {
  return (draft) => {
    draft.provider = name;
  };
}
