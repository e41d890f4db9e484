import {
  DEFAULT_RETRY_POLICY,
  OrchestrationError,
  retryPolicy,
  type ChainConfig,
  type Hooks,
  type Memory,
  type Option,
  type RetryPolicy,
} from '@baton/core';
import {
  checkHooks,
  resolveOptions,
  runStatsShape,
  telemetryOptionsShape,
} from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';

/** A functional option of `createChain`. */
export type ChainOption = Option<ChainConfig>;

/** The defaults every chain starts from. */
export const DEFAULT_CHAIN_CONFIG: Readonly<ChainConfig> = Object.freeze({
  name: 'chain',
  description: '',
  timeoutMs: 0,
  stepTimeoutMs: 0,
  retries: 0,
  retryPolicy: DEFAULT_RETRY_POLICY,
  memory: undefined,
  inputKeys: [],
  outputKeys: [],
  provider: 'simple',
});

// Policies given with a maxAttempts: validation refuses them (withChainRetries sets the attempts).
const withAttempts = new WeakSet<object>();

const ms = (option: string) =>
  z
    .number({ error: `${option} expects a number of milliseconds` })
    .min(0, { error: `${option} expects milliseconds >= 0 (0 means no timeout)` });

const keys = (option: string) =>
  z
    .array(
      z
        .string()
        .trim()
        .min(1, { error: `${option} expects non-empty key names` }),
      {
        error: `${option} expects an array of key names`,
      },
    )
    .refine((list) => new Set(list).size === list.length, { error: `${option} lists a key twice` });

const isMemory = (value: unknown): value is Memory => {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return (
      typeof (value as Memory).load === 'function' && typeof (value as Memory).save === 'function'
    );
  } catch {
    return false; // its getters throw (a Proxy): not a memory the chain can call
  }
};

const chainConfigSchema = z.object({
  name: z
    .string({ error: 'withChainName expects a string' })
    .trim()
    .min(1, { error: 'withChainName expects a non-empty name' }),
  description: z.string({ error: 'withChainDescription expects a string' }),
  timeoutMs: ms('withChainTimeout'),
  stepTimeoutMs: ms('withChainStepTimeout'),
  retries: z
    .number({ error: 'withChainRetries expects a number' })
    .int({ error: 'withChainRetries expects a whole number of retries' })
    .min(0, { error: 'withChainRetries expects retries >= 0 (0 runs each step once)' }),
  retryPolicy: z
    .custom<RetryPolicy>((v) => typeof v === 'object' && v !== null, {
      error: 'withChainRetryPolicy expects a retry policy object',
    })
    .refine((v) => !withAttempts.has(v), {
      error: `withChainRetryPolicy does not take maxAttempts; set the attempts with withChainRetries(n) (retries after the first attempt)`,
    }),
  memory: z.custom<Memory | undefined>((v) => v === undefined || isMemory(v), {
    error: 'withChainMemory expects a Memory (an object with load and save methods)',
  }),
  inputKeys: keys('withChainInputKeys'),
  outputKeys: keys('withChainOutputKeys'),
  provider: z
    .string({ error: 'withChainProvider expects a string' })
    .trim()
    .min(1, { error: 'withChainProvider expects a non-empty provider name' }),
  hooks: z
    .custom<Hooks | undefined>((v) => v === undefined || (typeof v === 'object' && v !== null), {
      error: 'withChainHooks expects hooks { before?, after?, onError? }',
    })
    .optional(),
  ...telemetryOptionsShape,
  ...runStatsShape,
}) as unknown as z.ZodType<ChainConfig>;

/**
 * Applies `options` to the defaults and validates them once. The retry policy's `maxAttempts`
 * is set from `retries`, so the two never disagree.
 */
export function resolveChainConfig(
  options: readonly ChainOption[],
): Result<Readonly<ChainConfig>, OrchestrationError> {
  const resolved = resolveOptions<ChainConfig>(
    DEFAULT_CHAIN_CONFIG,
    options,
    chainConfigSchema,
    'createChain',
  );
  if (resolved.isErr()) return err(resolved.error);
  const config = resolved.value;
  const own = retryPolicy(config.retryPolicy);
  const policy = own.isErr()
    ? own
    : retryPolicy({ ...config.retryPolicy, maxAttempts: config.retries + 1 });
  if (policy.isErr()) {
    return err(
      new OrchestrationError(
        'invalid_config',
        `createChain: withChainRetryPolicy: ${policy.error.message}`,
        {
          op: 'createChain',
          cause: policy.error,
          details: { ...policy.error.details, option: 'withChainRetryPolicy' },
        },
      ),
    );
  }
  return ok(Object.freeze({ ...config, retryPolicy: policy.value }));
}

/**
 * Names the chain in errors, events, spans and metrics.
 * @default 'chain'
 */
export function withChainName(name: string): ChainOption {
  return (draft) => {
    draft.name = name;
  };
}

/** A human description, shown by health reports. @default '' */
export function withChainDescription(description: string): ChainOption {
  return (draft) => {
    draft.description = description;
  };
}

/**
 * Deadline of a whole run in ms (memory load, every step, memory save); exceeding it fails with
 * `timeout` and aborts the running step. 0 means none.
 * @default 0
 */
export function withChainTimeout(timeoutMs: number): ChainOption {
  return (draft) => {
    draft.timeoutMs = timeoutMs;
  };
}

/**
 * Deadline of each attempt of each step in ms; a step that exceeds it fails with `timeout`
 * (retried like any retryable failure). 0 means none.
 * @default 0
 */
export function withChainStepTimeout(timeoutMs: number): ChainOption {
  return (draft) => {
    draft.stepTimeoutMs = timeoutMs;
  };
}

/**
 * Retries of a failed step after its first attempt (0 runs each step once). Retries are per step:
 * a failure in step 3 re-runs step 3 only, with the same input.
 * @default 0
 */
export function withChainRetries(retries: number): ChainOption {
  return (draft) => {
    draft.retries = retries;
  };
}

/**
 * Backoff and which errors are retried, over `DEFAULT_RETRY_POLICY`. How many attempts a step
 * gets is set by `withChainRetries` alone: a `maxAttempts` here fails with `invalid_config`.
 * @default DEFAULT_RETRY_POLICY
 */
export function withChainRetryPolicy(
  policy: Omit<Partial<RetryPolicy>, 'maxAttempts'>,
): ChainOption {
  return (draft) => {
    if (typeof policy !== 'object' || policy === null) {
      draft.retryPolicy = policy; // not a policy: validation names withChainRetryPolicy
      return;
    }
    let given: Partial<RetryPolicy>;
    try {
      given = { ...policy };
    } catch (cause) {
      throw new TypeError('withChainRetryPolicy: the policy could not be read', { cause });
    }
    const merged = { ...DEFAULT_RETRY_POLICY, ...given };
    if (given.maxAttempts !== undefined) withAttempts.add(merged);
    draft.retryPolicy = merged;
  };
}

/** Loads remembered values before the first step and saves the exchange after the last. */
export function withChainMemory(memory: Memory): ChainOption {
  return (draft) => {
    draft.memory = memory;
  };
}

/** Keys the input (merged with memory) must have; a missing one fails with `invalid_input`. */
export function withChainInputKeys(...keys: string[]): ChainOption {
  return (draft) => {
    draft.inputKeys = keys;
  };
}

/**
 * The option made by {@link withChainOutputKeys}: it carries the keys in its type, so
 * `createChain` types the chain's output as an object with just those keys.
 */
export type ChainOutputKeysOption<K extends string> = ChainOption & {
  /**
   * Phantom: never set at run time. A function type keeps `K` invariant, so that TypeScript
   * does not merge `cond ? withChainOutputKeys('a') : withChainOutputKeys('a', 'b')` into one
   * option holding both keys.
   */
  readonly __chainOutputKeys?: (keys: K) => K;
};

/**
 * Keys picked from the last step's output (which must then be an object). The chain's output
 * type becomes `{ [key]: last output[key] }`; with no keys the whole output is kept.
 */
export function withChainOutputKeys<const K extends string = never>(
  ...keys: K[]
): ChainOutputKeysOption<K> {
  return (draft) => {
    draft.outputKeys = keys;
  };
}

/** Builds the chain with the provider registered under `name`. @default 'simple' */
export function withChainProvider(name: string): ChainOption {
  return (draft) => {
    draft.provider = name;
  };
}

/**
 * Code run around each run of the chain, under invoke, batch and stream alike: `before` may
 * change the chain input (before memory is loaded), `after` the output (after memory is saved),
 * `onError` may recover from a failed run with an output. Each hook is a function or a Runnable.
 * A failing hook fails the run with `execution_failed` naming the hook and the chain.
 * @default undefined (no hooks)
 * @example
 * createChain([retrieve, answer], withChainHooks({ before: (q: string) => q.trim() }));
 */
export function withChainHooks<I = unknown, O = unknown>(hooks: Hooks<I, O>): ChainOption {
  return (draft) => {
    const checked = checkHooks(hooks, 'withChainHooks');
    if (checked.isErr()) throw checked.error;
    draft.hooks = checked.value;
  };
}
