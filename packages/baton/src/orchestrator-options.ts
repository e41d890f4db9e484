import type { CheckpointStore, OrchestrationError, Option, TelemetryOptions } from '@baton/core';
import { resolveOptions, telemetryOptionsShape } from '@baton/core/authoring';
import type { Result } from 'neverthrow';
import { z } from 'zod';
import {
  DEFAULT_BUILTIN_ACTION_SETTINGS,
  type BuiltinActionSettings,
} from './builtin-action-settings.js';

/** Which kinds of work an Orchestrator creates. */
export interface OrchestratorFeatures {
  /** @default true */
  readonly chains: boolean;
  /** @default true */
  readonly graphs: boolean;
  /** @default true */
  readonly workflows: boolean;
}

/** Where the Temporal frontend of an Orchestrator's workflows is. */
export interface TemporalSettings {
  /** `host:port` of the frontend. */
  readonly address: string;
  /** @default 'default' */
  readonly namespace?: string;
}

/** Settings of an Orchestrator, set with `with*` options on `createOrchestrator`. */
export interface OrchestratorConfig extends TelemetryOptions {
  /**
   * Deadline of a whole run of every chain the Orchestrator creates, in ms (a chain's own
   * `withChainTimeout` from `@baton/chain` wins); 0 means none.
   * @default 0
   */
  readonly chainTimeoutMs: number;
  /**
   * Nodes running at once in each graph the Orchestrator creates (a graph's own option wins).
   * @default 5
   */
  readonly graphMaxWorkers: number;
  /**
   * Task queue of every workflow the Orchestrator creates (a workflow's own option wins).
   * @default 'baton'
   */
  readonly workflowTaskQueue: string;
  /**
   * How often `health$` emits, in ms.
   * @default 30_000
   */
  readonly healthCheckIntervalMs: number;
  /** @default { chains: true, graphs: true, workflows: true } */
  readonly features: OrchestratorFeatures;
  /**
   * The Temporal server of workflows; `check()` reports its health when set.
   * @default undefined (workflows use their own address, `localhost:7233` unless told)
   */
  readonly temporal: Readonly<Required<TemporalSettings>> | undefined;
  /**
   * Checkpoints of every graph and pipeline run (a graph's own `withGraphCheckpointer` wins);
   * `check()` reports its health.
   * @default undefined (no checkpoints)
   */
  readonly checkpointStore: CheckpointStore | undefined;
  /**
   * How long `shutdown()` waits for running chains and graphs before canceling them, in ms.
   * @default 30_000
   */
  readonly shutdownTimeoutMs: number;
  /** Settings of the built-in actions (see {@link BuiltinActionSettings}). */
  readonly actions: Readonly<BuiltinActionSettings>;
}

/** A functional option of `createOrchestrator`. */
export type OrchestratorOption = Option<OrchestratorConfig>;

/** The defaults every Orchestrator starts from. */
export const DEFAULT_ORCHESTRATOR_CONFIG: Readonly<OrchestratorConfig> = Object.freeze({
  chainTimeoutMs: 0,
  graphMaxWorkers: 5,
  workflowTaskQueue: 'baton',
  healthCheckIntervalMs: 30_000,
  features: Object.freeze({ chains: true, graphs: true, workflows: true }),
  temporal: undefined,
  checkpointStore: undefined,
  shutdownTimeoutMs: 30_000,
  actions: DEFAULT_BUILTIN_ACTION_SETTINGS,
});

const ms = (option: string, min = 0) =>
  z
    .number({ error: `${option} expects a number of milliseconds` })
    .min(min, { error: `${option} expects milliseconds >= ${min}` });

const hasMethods = (value: unknown, methods: readonly string[]): boolean => {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
  } catch {
    return false;
  }
};

const schema = z.object({
  chainTimeoutMs: ms('withChainTimeout'),
  graphMaxWorkers: z
    .number({ error: 'withGraphMaxWorkers expects a number' })
    .refine((n) => n === Infinity || (Number.isInteger(n) && n >= 1), {
      error: 'withGraphMaxWorkers expects a whole number >= 1 or Infinity',
    }),
  workflowTaskQueue: z
    .string({ error: 'withWorkflowTaskQueue expects a string' })
    .trim()
    .min(1, { error: 'withWorkflowTaskQueue expects a non-empty task queue name' }),
  healthCheckIntervalMs: ms('withHealthCheckInterval', 1),
  features: z.strictObject(
    {
      chains: z.boolean({ error: 'withFeatures expects chains: true or false' }),
      graphs: z.boolean({ error: 'withFeatures expects graphs: true or false' }),
      workflows: z.boolean({ error: 'withFeatures expects workflows: true or false' }),
    },
    { error: 'withFeatures expects { chains?, graphs?, workflows? } with boolean values' },
  ),
  temporal: z
    .strictObject(
      {
        address: z
          .string({ error: 'withTemporal expects address: "host:port"' })
          .trim()
          .min(1, { error: 'withTemporal expects a non-empty address ("host:port")' }),
        namespace: z
          .string({ error: 'withTemporal expects namespace to be a string' })
          .trim()
          .min(1, { error: 'withTemporal expects a non-empty namespace' }),
      },
      { error: 'withTemporal expects { address, namespace? }' },
    )
    .optional(),
  checkpointStore: z.custom<CheckpointStore | undefined>(
    (v) => v === undefined || hasMethods(v, ['saveRun', 'saveNode', 'loadRun', 'check']),
    { error: 'withCheckpointStore expects a CheckpointStore (saveRun, saveNode, loadRun, check)' },
  ),
  shutdownTimeoutMs: ms('withShutdownTimeout'),
  actions: z.strictObject(
    {
      rootDir: z
        .string({ error: 'withBuiltinActions expects rootDir to be a path' })
        .min(1, { error: 'withBuiltinActions expects a non-empty rootDir' }),
      httpAllowedHosts: z.array(
        z.string().trim().min(1, { error: 'withBuiltinActions expects non-empty host names' }),
        { error: 'withBuiltinActions expects httpAllowedHosts to be an array of host names' },
      ),
      timeoutMs: ms('withBuiltinActions (timeoutMs)', 1),
      mapConcurrency: z
        .number({ error: 'withBuiltinActions expects mapConcurrency to be a number' })
        .int()
        .min(1, { error: 'withBuiltinActions expects mapConcurrency >= 1' }),
      shell: z.boolean({ error: 'withBuiltinActions expects shell: true or false' }),
    },
    {
      error:
        'withBuiltinActions expects { rootDir?, httpAllowedHosts?, timeoutMs?, mapConcurrency?, shell? }',
    },
  ),
  ...telemetryOptionsShape,
}) as unknown as z.ZodType<OrchestratorConfig>;

/** Applies `options` to the defaults and validates them once (`invalid_config` names the option). */
export function resolveOrchestratorConfig(
  options: readonly OrchestratorOption[],
): Result<Readonly<OrchestratorConfig>, OrchestrationError> {
  return resolveOptions(DEFAULT_ORCHESTRATOR_CONFIG, options, schema, 'createOrchestrator');
}

/**
 * Default deadline of every chain's run, in ms (0: none). A chain created with `@baton/chain`'s
 * own `withChainTimeout` keeps its own.
 * @default 0
 */
export function withChainTimeout(timeoutMs: number): OrchestratorOption {
  return (draft) => {
    draft.chainTimeoutMs = timeoutMs;
  };
}

/** Default number of nodes running at once in each graph. @default 5 */
export function withGraphMaxWorkers(maxWorkers: number): OrchestratorOption {
  return (draft) => {
    draft.graphMaxWorkers = maxWorkers;
  };
}

/** Default Temporal task queue of every workflow. @default 'baton' */
export function withWorkflowTaskQueue(taskQueue: string): OrchestratorOption {
  return (draft) => {
    draft.workflowTaskQueue = taskQueue;
  };
}

/** How often `health$` emits, in ms. @default 30_000 */
export function withHealthCheckInterval(intervalMs: number): OrchestratorOption {
  return (draft) => {
    draft.healthCheckIntervalMs = intervalMs;
  };
}

/**
 * Turns kinds of work on or off; the ones not named keep their setting. A disabled kind's
 * `create*` fails with `invalid_state`.
 * @default { chains: true, graphs: true, workflows: true }
 */
export function withFeatures(features: Partial<OrchestratorFeatures>): OrchestratorOption {
  return (draft) => {
    draft.features =
      typeof features === 'object' && features !== null
        ? { ...draft.features, ...features }
        : features; // not an object: validation names withFeatures
  };
}

/** The Temporal server of the Orchestrator's workflows, checked by `check()`. */
export function withTemporal(settings: TemporalSettings): OrchestratorOption {
  return (draft) => {
    draft.temporal =
      typeof settings === 'object' && settings !== null
        ? { namespace: 'default', ...settings }
        : settings;
  };
}

/** Checkpoints every graph and pipeline run in `store`. */
export function withCheckpointStore(store: CheckpointStore): OrchestratorOption {
  return (draft) => {
    draft.checkpointStore = store;
  };
}

/** How long `shutdown()` waits for running work before canceling it, in ms. @default 30_000 */
export function withShutdownTimeout(timeoutMs: number): OrchestratorOption {
  return (draft) => {
    draft.shutdownTimeoutMs = timeoutMs;
  };
}

/**
 * Settings of the built-in actions; the ones not named keep their value. `rootDir` is resolved
 * against the working directory when the Orchestrator is created.
 * @default { rootDir: '.', httpAllowedHosts: [], timeoutMs: 10_000, mapConcurrency: 4, shell: false }
 */
export function withBuiltinActions(settings: Partial<BuiltinActionSettings>): OrchestratorOption {
  return (draft) => {
    draft.actions =
      typeof settings === 'object' && settings !== null
        ? { ...draft.actions, ...settings }
        : settings; // not an object: validation names the option
  };
}
