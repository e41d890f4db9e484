import {
  DEFAULT_RETRY_POLICY,
  type CacheOptions,
  type Hooks,
  type LoopCondition,
  type NodeLoopConfig,
  type NodeMapConfig,
  type RateLimitOptions,
  type NodeConfig,
  type NodeInputFn,
  type Option,
  type OrchestrationError,
  type RetryPolicy,
  type TriggerRule,
} from '@baton/core';
import { checkHooks, resolveOptions } from '@baton/core/authoring';
import type { Result } from 'neverthrow';
import { z } from 'zod';
import { TRIGGER_RULES } from './scheduling/trigger-rules.js';

/** A functional option of `addNode`. */
export type NodeOption = Option<NodeConfig>;

/** The defaults every node starts from. */
export const DEFAULT_NODE_CONFIG: Readonly<NodeConfig> = Object.freeze({
  priority: 2,
  retries: undefined,
  retryPolicy: DEFAULT_RETRY_POLICY,
  timeoutMs: 0,
  cache: undefined,
  input: undefined,
  triggerRule: 'all_success',
  map: undefined,
  loop: undefined,
  pure: false,
});

/** What `withNodeMap` fills in. */
export const DEFAULT_NODE_MAP: Readonly<NodeMapConfig> = Object.freeze({
  concurrency: 5,
  retries: 0,
  onItemError: 'fail',
});

/** Iterations a loop gets when `withNodeLoop` does not say. */
export const DEFAULT_MAX_ITERATIONS = 10;

const MAX_TIMER_MS = 2_147_483_647;

// Policies given with a maxAttempts: validation refuses them (withNodeRetries sets the attempts).
const withAttempts = new WeakSet<object>();

const nodeConfigSchema = z
  .object({
    priority: z
      .number({ error: 'withNodePriority expects a number' })
      .int({ error: 'withNodePriority expects 0, 1, 2 or 3' })
      .min(0, { error: 'withNodePriority expects 0 (urgent) .. 3 (low)' })
      .max(3, { error: 'withNodePriority expects 0 (urgent) .. 3 (low)' }),
    retries: z
      .number({ error: 'withNodeRetries expects a number' })
      .int({ error: 'withNodeRetries expects a whole number of retries' })
      .min(0, { error: 'withNodeRetries expects retries >= 0 (0 runs the node once)' })
      .optional(),
    retryPolicy: z
      .custom<RetryPolicy>((v) => typeof v === 'object' && v !== null, {
        error: 'withNodeRetryPolicy expects a retry policy object',
      })
      .refine((v) => !withAttempts.has(v), {
        error: `withNodeRetryPolicy does not take maxAttempts; set the attempts with withNodeRetries(n) (retries after the first attempt)`,
      }),
    timeoutMs: z
      .number({ error: 'withNodeTimeout expects a number of milliseconds' })
      .min(0, { error: 'withNodeTimeout expects milliseconds >= 0 (0 means no timeout)' })
      .max(MAX_TIMER_MS, { error: `withNodeTimeout expects at most ${MAX_TIMER_MS} ms` }),
    cache: z.custom<CacheOptions<unknown, unknown> | undefined>(
      (v) => v === undefined || (typeof v === 'object' && v !== null),
      { error: 'withNodeCache expects cache options, e.g. withNodeCache({ ttlMs: 60_000 })' },
    ),
    input: z.custom<NodeInputFn | undefined>((v) => v === undefined || typeof v === 'function', {
      error: 'withNodeInput expects a function (parents, graphInput) => input',
    }),
    triggerRule: z.custom<TriggerRule>((v) => (TRIGGER_RULES as readonly unknown[]).includes(v), {
      error: `withNodeTriggerRule expects one of ${TRIGGER_RULES.map((r) => `'${r}'`).join(', ')}`,
    }),
    pure: z.boolean({ error: 'withNodePure expects a boolean' }),
    hooks: optionalObject<Hooks>('withNodeHooks expects hooks { before?, after?, onError? }'),
    rateLimit: optionalObject<RateLimitOptions>(
      'withNodeRateLimit expects rate limit settings, e.g. { requestsPerInterval: 60, intervalMs: 60_000 }',
    ),
    map: z
      .strictObject(
        {
          // zod 4 numbers reject Infinity
          concurrency: z.custom<number>(
            (v) => v === Infinity || (typeof v === 'number' && Number.isInteger(v) && v >= 1),
            { error: 'withNodeMap expects concurrency to be a whole number >= 1 or Infinity' },
          ),
          retries: z
            .number({ error: 'withNodeMap expects retries to be a number' })
            .int({ error: 'withNodeMap expects a whole number of retries' })
            .min(0, { error: 'withNodeMap expects retries >= 0 (0 runs each item once)' }),
          onItemError: z.enum(['fail', 'skip'], {
            error: "withNodeMap expects onItemError 'fail' or 'skip'",
          }),
        },
        { error: 'withNodeMap expects { concurrency?, retries?, onItemError? }' },
      )
      .optional(),
    loop: z
      .strictObject(
        {
          until: z.custom<NodeLoopConfig['until']>((v) => typeof v === 'function', {
            error: 'withNodeLoop expects until to be a function (output, iteration) => boolean',
          }),
          maxIterations: z
            .number({ error: 'withNodeLoop expects maxIterations to be a number' })
            .int({ error: 'withNodeLoop expects a whole number for maxIterations' })
            .min(1, { error: 'withNodeLoop expects maxIterations >= 1' }),
        },
        { error: 'withNodeLoop expects { until, maxIterations? }' },
      )
      .optional(),
  })
  .refine((c) => c.map === undefined || c.loop === undefined, {
    error: 'a node is either a map (withNodeMap) or a loop (withNodeLoop), not both',
  }) as unknown as z.ZodType<NodeConfig>;

/** An optional object field (checked further where it is used). */
export function optionalObject<T>(error: string) {
  return z
    .custom<T | undefined>((v) => v === undefined || (typeof v === 'object' && v !== null), {
      error,
    })
    .optional();
}

/** Applies `options` to the node defaults and validates them once. */
export function resolveNodeConfig(
  options: readonly NodeOption[],
  op: string,
): Result<Readonly<NodeConfig>, OrchestrationError> {
  return resolveOptions<NodeConfig>(DEFAULT_NODE_CONFIG, options, nodeConfigSchema, op);
}

/**
 * Among ready nodes waiting for a worker, lower runs first: 0 urgent, 1 high, 2 normal, 3 low.
 * Ties start in the order they became ready.
 * @default 2
 */
export function withNodePriority(priority: number): NodeOption {
  return (draft) => {
    draft.priority = priority;
  };
}

/**
 * Retries of a failed attempt after the first (retryable errors only; cancellation never).
 * Overrides the graph's `withGraphRetries` for this node.
 * @default the graph's retries
 */
export function withNodeRetries(retries: number): NodeOption {
  return (draft) => {
    draft.retries = retries;
  };
}

/**
 * Backoff and which errors are retried, over `DEFAULT_RETRY_POLICY`. How many attempts a node
 * gets is set by `withNodeRetries` alone: a `maxAttempts` here fails with `invalid_config`.
 * @default DEFAULT_RETRY_POLICY
 */
export function withNodeRetryPolicy(policy: Omit<Partial<RetryPolicy>, 'maxAttempts'>): NodeOption {
  return (draft) => {
    if (typeof policy !== 'object' || policy === null) {
      draft.retryPolicy = policy; // not a policy: validation names withNodeRetryPolicy
      return;
    }
    let given: Partial<RetryPolicy>;
    try {
      given = { ...policy };
    } catch (cause) {
      throw new TypeError('withNodeRetryPolicy: the policy could not be read', { cause });
    }
    const merged = { ...DEFAULT_RETRY_POLICY, ...given };
    if (given.maxAttempts !== undefined) withAttempts.add(merged);
    draft.retryPolicy = merged;
  };
}

/**
 * Deadline of each attempt in ms; an attempt that exceeds it fails with `timeout` (retryable)
 * and its signal fires. 0 means none.
 * @default 0
 */
export function withNodeTimeout(timeoutMs: number): NodeOption {
  return (draft) => {
    draft.timeoutMs = timeoutMs;
  };
}

/**
 * Caches the node's output by its input with `withCache` (concurrent equal inputs share one
 * execution; errors are not cached). The namespace defaults to `<graph>/<node>`.
 * @default undefined (no cache)
 */
export function withNodeCache<I = unknown, O = unknown>(
  options: CacheOptions<I, O> = {},
): NodeOption {
  return (draft) => {
    draft.cache = options as CacheOptions<unknown, unknown>;
  };
}

/**
 * Builds the node's input from the outputs of its parents that succeeded (by name) and the
 * graph input, instead of the data-flow rules.
 * @default undefined (the data-flow rules)
 */
export function withNodeInput(fn: NodeInputFn): NodeOption {
  return (draft) => {
    draft.input = fn;
  };
}

/**
 * When the node runs, given how its parents ended, in Airflow's vocabulary (see `TriggerRule`
 * and the table in `docs/graph.md`). Join the branches of a router with
 * `'none_failed_min_one_success'`: the join runs when the branches not taken were skipped and
 * fails with `dependency_failed` when a branch taken failed.
 * @default 'all_success'
 * @example
 * graph.addNode('handled', reply, withNodeTriggerRule('none_failed_min_one_success'));
 */
export function withNodeTriggerRule(rule: TriggerRule): NodeOption {
  return (draft) => {
    draft.triggerRule = rule;
  };
}

/**
 * Marks the node's runnable as pure: deterministic (the same input gives the same output) and
 * free of I/O, timers and randomness. In-process nothing changes; on Temporal the interpreter
 * runs a pure node inside the workflow instead of as an activity (no task round trip, no history
 * events), with the runnable the worker bundles under the same name (see
 * `@baton/workflow-temporal`'s `registerPureRunnables`). Part of the spec's fingerprint.
 * @default false
 * @example
 * graph.addNode('normalise', normalise, withNodePure());
 */
export function withNodePure(pure = true): NodeOption {
  return (draft) => {
    draft.pure = pure;
  };
}

/**
 * Code run around the node, once per execution and outside its retries, under invoke, batch and
 * stream alike: `before` may change its input, `after` its output, `onError` may recover from its
 * failure (after the retries) with an output. Each hook is a function or a Runnable. A failing
 * hook fails the node with `execution_failed` naming the hook and the node (`details.hook`,
 * `details.step`). In-process only: `toSpec` refuses a node with hooks (see docs/graph.md).
 * @default undefined (no hooks)
 * @example
 * graph.addNode('call', callModel, withNodeHooks({ before: (prompt: string) => prompt.trim() }));
 */
export function withNodeHooks<I = unknown, O = unknown>(hooks: Hooks<I, O>): NodeOption {
  return (draft) => {
    const checked = checkHooks(hooks, 'withNodeHooks');
    if (checked.isErr()) throw checked.error;
    draft.hooks = checked.value;
  };
}

/**
 * Limits how fast the node's runnable is called, with its own limiter (or `limiter`, shared):
 * the settings of `withRateLimit`. Each attempt counts; a cache hit does not. In-process only:
 * `toSpec` refuses it (wrap the runnable with `withRateLimit` and register that instead).
 * @default undefined (no limit)
 * @example
 * graph.addNode('call', callModel, withNodeRateLimit({ requestsPerInterval: 60, intervalMs: 60_000 }));
 */
export function withNodeRateLimit<I = unknown, O = unknown>(
  options: RateLimitOptions<I, O>,
): NodeOption {
  return (draft) => {
    draft.rateLimit = options as RateLimitOptions;
  };
}

/** Copies an options object for a draft; an unreadable one is left for validation to name. */
function readOptions(options: unknown): unknown {
  if (typeof options !== 'object' || options === null) return options;
  try {
    return { ...options };
  } catch {
    return options;
  }
}

/**
 * Makes the node a map: it receives a list and runs its runnable once per item, at most
 * `concurrency` at once, each item with its own `retries`. Its output is the results in input
 * order. With a checkpointer each finished item is recorded, so a resumed run (or a retry of the
 * node) runs only the items that had not finished. A failed item fails the node, or with
 * `onItemError: 'skip'` is left out of the output and reported (`step-error` event, logger).
 * @default undefined (the node runs once)
 * @example
 * graph.addNode('summaries', summarize, withNodeMap({ concurrency: 4, retries: 2 }));
 */
export function withNodeMap(options: Partial<NodeMapConfig> = {}): NodeOption {
  return (draft) => {
    const given = readOptions(options);
    draft.map = (
      typeof given === 'object' && given !== null ? { ...DEFAULT_NODE_MAP, ...given } : given
    ) as NodeMapConfig;
  };
}

/**
 * Makes the node a loop: its runnable runs on the node's input, then on its own output, until
 * `until(output, iteration)` holds, at most `maxIterations` times (then `resource_exhausted`).
 * Its output is the last iteration's. With a checkpointer each iteration's output is recorded,
 * so a resumed run continues at the iteration it was in. Name `until` (a named function) for
 * `toSpec`.
 * @default undefined (the node runs once)
 * @example
 * graph.addNode('agent', step, withNodeLoop({ until: function done(s: State) { return s.done; } }));
 */
export function withNodeLoop(options: {
  readonly until: LoopCondition;
  readonly maxIterations?: number;
}): NodeOption {
  return (draft) => {
    const given = readOptions(options);
    draft.loop = (
      typeof given === 'object' && given !== null
        ? { maxIterations: DEFAULT_MAX_ITERATIONS, ...given }
        : given
    ) as NodeLoopConfig;
  };
}
