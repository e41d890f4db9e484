import { type OrchestrationError, type Option, type WorkflowConfig } from '@baton/core';
import { resolveOptions, telemetryOptionsShape } from '@baton/core/authoring';
import type { Connection } from '@temporalio/client';
import type { Result } from 'neverthrow';
import { z } from 'zod';
import type { GraphInterpreterSettings } from './workflow/graph-wire.js';

/** Settings of a Temporal workflow: core's {@link WorkflowConfig} plus where the server is. */
export interface TemporalWorkflowConfig extends WorkflowConfig {
  /**
   * Prefix of the generated workflow ids (`<prefix><uuid>`).
   * @default `${name}-`
   */
  readonly idPrefix?: string | undefined;
  /**
   * A client connection to use (and leave open: its owner closes it). When unset, the workflow
   * connects to `address` on first use and closes that connection in `close()`.
   * @default undefined
   */
  readonly connection?: Connection | undefined;
  /** `host:port` of the Temporal frontend. @default 'localhost:7233' */
  readonly address: string;
  /** @default 'default' */
  readonly namespace: string;
  /**
   * Indexed search attributes of each execution (they must be registered on the server), typed
   * from the JS value: see {@link withWorkflowSearchAttributes}.
   * @default {}
   */
  readonly searchAttributes: Readonly<Record<string, SearchAttributeValue>>;
  /** Bound of `check()` in ms: a server that does not answer in time is `unhealthy`. @default 5000 */
  readonly checkTimeoutMs: number;
  /**
   * Deadline of each call to the server in ms (`execute`, `signal`, `query`, `cancel`,
   * `terminate`; not `getResult`, which waits for the run). A server that stops answering fails
   * the call with `timeout` instead of the client retrying for tens of seconds.
   * @default 10000
   */
  readonly rpcTimeoutMs: number;
  /**
   * How the graph interpreter runs a graph (`createTemporalGraphWorkflow` only).
   * @default DEFAULT_GRAPH_INTERPRETER_SETTINGS
   */
  readonly graphInterpreter?: Partial<GraphInterpreterSettings> | undefined;
}

/**
 * A search attribute value; its Temporal type follows from it: a string is a `Keyword`, a
 * string array a `KeywordList`, an integer an `Int`, another number a `Double`, a boolean a `Bool`,
 * a Date a `Datetime`.
 */
export type SearchAttributeValue = string | number | boolean | Date | readonly string[];

/** A functional option of `createTemporalWorkflow` and `createWorkflow`. */
export type WorkflowOption = Option<TemporalWorkflowConfig>;

/** The defaults every Temporal workflow starts from (`name` defaults to the workflow type). */
export const DEFAULT_TEMPORAL_WORKFLOW_CONFIG: Readonly<TemporalWorkflowConfig> = Object.freeze({
  name: 'workflow',
  description: '',
  timeoutMs: 0,
  retries: 0,
  taskQueue: 'baton',
  metadata: {},
  searchAttributes: {},
  provider: 'temporal',
  idPrefix: undefined,
  connection: undefined,
  address: 'localhost:7233',
  namespace: 'default',
  checkTimeoutMs: 5_000,
  rpcTimeoutMs: 10_000,
  graphInterpreter: undefined,
});

const nonEmpty = (option: string, what: string) =>
  z
    .string({ error: `${option} expects a string` })
    .trim()
    .min(1, { error: `${option} expects a non-empty ${what}` });

const whole = (field: string) =>
  z
    .number({ error: `withGraphInterpreter: ${field} must be a number` })
    .int({ error: `withGraphInterpreter: ${field} must be a whole number` })
    .min(1, { error: `withGraphInterpreter: ${field} must be >= 1` });

const isConnection = (value: unknown): boolean => {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null) return false;
  try {
    const c = value as { workflowService?: unknown; close?: unknown };
    return typeof c.workflowService === 'object' && typeof c.close === 'function';
  } catch {
    return false;
  }
};

const isPlainRecord = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  try {
    JSON.stringify(value); // memo values travel as JSON payloads
    return true;
  } catch {
    return false;
  }
};

const temporalWorkflowConfigSchema = z.object({
  name: nonEmpty('withWorkflowName', 'name'),
  description: z.string({ error: 'withWorkflowDescription expects a string' }),
  timeoutMs: z
    .number({ error: 'withWorkflowTimeout expects a number of milliseconds' })
    .int({ error: 'withWorkflowTimeout expects whole milliseconds' })
    .min(0, { error: 'withWorkflowTimeout expects milliseconds >= 0 (0 means no timeout)' }),
  retries: z
    .number({ error: 'withWorkflowRetries expects a number' })
    .int({ error: 'withWorkflowRetries expects a whole number of retries' })
    .min(0, { error: 'withWorkflowRetries expects retries >= 0 (0 runs the workflow once)' }),
  taskQueue: nonEmpty('withWorkflowTaskQueue', 'task queue name'),
  metadata: z.custom<Readonly<Record<string, unknown>>>(isPlainRecord, {
    error: 'withWorkflowMetadata expects a plain object of JSON values (it becomes the memo)',
  }),
  searchAttributes: z.record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      error: 'withWorkflowSearchAttributes expects attribute names that are identifiers',
    }),
    z.union(
      [
        z.string(),
        z.number().refine(Number.isFinite),
        z.boolean(),
        z.date().refine((d) => !Number.isNaN(d.getTime())),
        z.array(z.string()),
      ],
      {
        error:
          'withWorkflowSearchAttributes expects values that are strings, finite numbers, booleans, valid Dates or string arrays',
      },
    ),
    { error: 'withWorkflowSearchAttributes expects an object of attribute name -> value' },
  ),
  provider: nonEmpty('withWorkflowProvider', 'provider name'),
  idPrefix: z
    .string({ error: 'withWorkflowIdPrefix expects a string' })
    .max(200, { error: 'withWorkflowIdPrefix expects at most 200 characters' })
    .optional(),
  connection: z.custom<Connection | undefined>(isConnection, {
    error: 'withTemporalConnection expects a Connection from @temporalio/client',
  }),
  address: nonEmpty('withTemporalAddress', 'address (host:port)').regex(/^[^\s:]+:\d+$/, {
    error: 'withTemporalAddress expects host:port, e.g. localhost:7233',
  }),
  namespace: nonEmpty('withTemporalAddress', 'namespace'),
  checkTimeoutMs: z
    .number({ error: 'withTemporalCheckTimeout expects a number of milliseconds' })
    .positive({ error: 'withTemporalCheckTimeout expects milliseconds > 0' }),
  rpcTimeoutMs: z
    .number({ error: 'withTemporalRpcTimeout expects a number of milliseconds' })
    .positive({ error: 'withTemporalRpcTimeout expects milliseconds > 0' }),
  graphInterpreter: z
    .strictObject(
      {
        maxPendingActivities: whole('maxPendingActivities').max(2_000, {
          error:
            "withGraphInterpreter: maxPendingActivities must be at most 2000 (Temporal's limit)",
        }),
        continueAsNewAfterEvents: whole('continueAsNewAfterEvents').max(50_000, {
          error:
            'withGraphInterpreter: continueAsNewAfterEvents must be below 51,200 (Temporal terminates an execution there)',
        }),
        continueAsNewAfterBytes: whole('continueAsNewAfterBytes'),
        maxPayloadBytes: whole('maxPayloadBytes'),
        heartbeatTimeoutMs: whole('heartbeatTimeoutMs'),
        defaultNodeTimeoutMs: whole('defaultNodeTimeoutMs'),
        maxEvents: whole('maxEvents'),
        inlineSpecMaxBytes: whole('inlineSpecMaxBytes'),
      },
      { error: 'withGraphInterpreter expects an object of GraphInterpreterSettings fields' },
    )
    .partial()
    .optional(),
  ...telemetryOptionsShape,
}) as unknown as z.ZodType<TemporalWorkflowConfig>;

/**
 * Applies `options` over `defaults` and validates once; a bad value fails with `invalid_config`
 * naming the option.
 */
export function resolveTemporalWorkflowConfig(
  defaults: Readonly<TemporalWorkflowConfig>,
  options: readonly WorkflowOption[],
  op: string,
): Result<Readonly<TemporalWorkflowConfig>, OrchestrationError> {
  return resolveOptions<TemporalWorkflowConfig>(
    defaults,
    options,
    temporalWorkflowConfigSchema,
    op,
  );
}

/** Names the workflow in errors, spans and health reports. @default the workflow type */
export function withWorkflowName(name: string): WorkflowOption {
  return (draft) => {
    draft.name = name;
  };
}

/** A human description; sent to Temporal as the execution's static details. @default '' */
export function withWorkflowDescription(description: string): WorkflowOption {
  return (draft) => {
    draft.description = description;
  };
}

/**
 * Temporal's workflow execution timeout in ms (across retries and continue-as-new); the execution
 * fails with `timeout` when it passes. 0 means none.
 * @default 0
 */
export function withWorkflowTimeout(timeoutMs: number): WorkflowOption {
  return (draft) => {
    draft.timeoutMs = timeoutMs;
  };
}

/**
 * Retries of a failed execution, as a Temporal RetryPolicy with `maximumAttempts = retries + 1`
 * (0: no retry policy, Temporal's default for workflows). Non-retryable failures are not retried.
 * @default 0
 */
export function withWorkflowRetries(retries: number): WorkflowOption {
  return (draft) => {
    draft.retries = retries;
  };
}

/** The task queue executions are started on; a worker must poll it. @default 'baton' */
export function withWorkflowTaskQueue(taskQueue: string): WorkflowOption {
  return (draft) => {
    draft.taskQueue = taskQueue;
  };
}

/** Sent as each execution's memo (JSON values), visible in the Temporal UI and `describe`. @default {} */
export function withWorkflowMetadata(metadata: Readonly<Record<string, unknown>>): WorkflowOption {
  return (draft) => {
    draft.metadata = metadata;
  };
}

/**
 * Indexed search attributes of each execution, for listing and filtering runs
 * (`client.workflow.list({ query: "BatonTeam = 'payments'" })`, the UI). Each must be registered
 * on the server (`temporal operator search-attribute create`, or `--search-attribute` on the dev
 * server); an unregistered one fails `execute` with `invalid_input` naming it. The type follows
 * from the value ({@link SearchAttributeValue}). Unlike the memo (`withWorkflowMetadata`), they
 * are indexed and typed.
 * @default {}
 */
export function withWorkflowSearchAttributes(
  attributes: Readonly<Record<string, SearchAttributeValue>>,
): WorkflowOption {
  return (draft) => {
    draft.searchAttributes = attributes;
  };
}

/** Prefix of generated workflow ids. @default `${name}-` */
export function withWorkflowIdPrefix(prefix: string): WorkflowOption {
  return (draft) => {
    draft.idPrefix = prefix;
  };
}

/** Builds the workflow with the provider registered under `name`. @default 'temporal' */
export function withWorkflowProvider(name: string): WorkflowOption {
  return (draft) => {
    draft.provider = name;
  };
}

/**
 * Uses an open `@temporalio/client` Connection (the caller keeps owning it), in `namespace`.
 * @default namespace 'default'
 */
export function withTemporalConnection(
  connection: Connection,
  namespace = 'default',
): WorkflowOption {
  return (draft) => {
    draft.connection = connection;
    draft.namespace = namespace;
  };
}

/**
 * Connects to `address` (`host:port`) on first use, in `namespace`.
 * @default 'localhost:7233', 'default'
 */
export function withTemporalAddress(address: string, namespace = 'default'): WorkflowOption {
  return (draft) => {
    draft.address = address;
    draft.namespace = namespace;
  };
}

/** How long `check()` waits for the server before reporting `unhealthy`. @default 5000 */
export function withTemporalCheckTimeout(timeoutMs: number): WorkflowOption {
  return (draft) => {
    draft.checkTimeoutMs = timeoutMs;
  };
}

/**
 * Deadline of each call to the server (`execute`, `signal`, `query`, `cancel`, `terminate`; not
 * `getResult`). A call past it fails with `timeout`.
 * @default 10000
 */
export function withTemporalRpcTimeout(timeoutMs: number): WorkflowOption {
  return (draft) => {
    draft.rpcTimeoutMs = timeoutMs;
  };
}

/**
 * Settings of the graph interpreter workflow for `createTemporalGraphWorkflow`: pending
 * activities at most, when to continue as new, the payload limit, timeouts (see
 * `GraphInterpreterSettings`). Fields not given keep their defaults; a bad value fails with
 * `invalid_config` naming the field.
 * @default DEFAULT_GRAPH_INTERPRETER_SETTINGS
 */
export function withGraphInterpreter(settings: Partial<GraphInterpreterSettings>): WorkflowOption {
  return (draft) => {
    draft.graphInterpreter = { ...draft.graphInterpreter, ...settings };
  };
}
