import {
  createRateLimiter,
  type CheckpointStore,
  type GraphConfig,
  type GraphRateLimit,
  type Hooks,
  type RateLimitOptions,
  type Option,
  type OrchestrationError,
} from '@baton/core';
import {
  checkHooks,
  resolveOptions,
  runStatsShape,
  telemetryOptionsShape,
} from '@baton/core/authoring';
import type { Result } from 'neverthrow';
import { z } from 'zod';
import { optionalObject } from './node-options.js';

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
  hooks: optionalObject<Hooks>('withGraphHooks expects hooks { before?, after?, onError? }'),
  rateLimit: optionalObject<GraphRateLimit>('withGraphRateLimit expects rate limit settings'),
  ...telemetryOptionsShape,
  ...runStatsShape,
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

/**
 * Code run around each run of the graph, under invoke, batch, stream and `start` alike: `before`
 * may change the graph input, `after` the output, `onError` may recover from a failed run with an
 * output. A resumed run runs `before` again on the stored input. A failing hook fails the run
 * with `execution_failed` naming the hook and the graph. Not part of a `GraphSpec`: give it to
 * `graphFromSpec` as an option.
 * @default undefined (no hooks)
 */
export function withGraphHooks<I = unknown, O = unknown>(hooks: Hooks<I, O>): GraphOption {
  return (draft) => {
    const checked = checkHooks(hooks, 'withGraphHooks');
    if (checked.isErr()) throw checked.error;
    draft.hooks = checked.value;
  };
}

/**
 * One rate limit shared by every node execution of the graph (each attempt of each node counts;
 * cache hits do not): the settings of `withRateLimit`, with one limiter per graph (or `limiter`,
 * shared further). Per-node limits (`withNodeRateLimit`) apply as well. Not part of a
 * `GraphSpec`: give it to `graphFromSpec` as an option.
 * @default undefined (no limit)
 * @example
 * createGraph(withGraphRateLimit({ requestsPerInterval: 100, intervalMs: 60_000 }));
 */
export function withGraphRateLimit(options: RateLimitOptions): GraphOption {
  return (draft) => {
    if (typeof options !== 'object' || options === null) {
      draft.rateLimit = options; // not settings: validation names withGraphRateLimit
      return;
    }
    const { requestsPerInterval, intervalMs, tokensPerInterval } = options;
    const limiter =
      options.limiter ??
      createRateLimiter({
        name: `${draft.name} (graph rate limit)`,
        requestsPerInterval: requestsPerInterval as number,
        intervalMs: intervalMs as number,
        tokensPerInterval,
      });
    draft.rateLimit = { ...options, limiter };
  };
}
