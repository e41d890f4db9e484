import {
  OrchestrationError,
  type ExecuteWorkflowOptions,
  type HealthReport,
  type Workflow,
  type WorkflowExecution,
} from '@baton/core';
import {
  createTelemetry,
  endSpanWithError,
  healthReport,
  newRunId,
  showError,
  showValue,
  startSpan,
} from '@baton/core/authoring';
import { context, trace } from '@opentelemetry/api';
import type { Client, WorkflowHandle, WorkflowStartOptions } from '@temporalio/client';
import {
  SearchAttributeType,
  defineSearchAttributeKey,
  type SearchAttributePair,
} from '@temporalio/common';
import { ResultAsync, errAsync } from 'neverthrow';
import { fromTemporalError } from './from-temporal-error.js';
import { temporalClientSource } from './temporal-client-source.js';
import type { SearchAttributeValue, TemporalWorkflowConfig } from './temporal-workflow-options.js';

/** A {@link Workflow} on Temporal. */
export interface TemporalWorkflow<I = unknown, O = unknown> extends Workflow<I, O> {
  /** The Temporal workflow type executions start (the function's name for a function). */
  readonly workflowType: string;
  readonly config: Readonly<TemporalWorkflowConfig>;
  /** Closes the connection this workflow opened (not one given with `withTemporalConnection`). */
  close(): Promise<void>;
}

function badArgument(op: string, what: string, value: unknown): OrchestrationError {
  return new OrchestrationError(
    'invalid_input',
    `${op}: ${what} must be a non-empty string, got ${showValue(value)}`,
    { op, details: { field: what, value } },
  );
}

const isId = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';
const optionalId = (value: unknown): value is string | undefined =>
  value === undefined || isId(value);

/** A search attribute with the Temporal type its value has. */
function searchAttribute(name: string, value: SearchAttributeValue): SearchAttributePair {
  const pair = (type: SearchAttributeType, v: unknown) =>
    ({ key: defineSearchAttributeKey(name, type), value: v }) as SearchAttributePair;
  if (typeof value === 'string') return pair(SearchAttributeType.KEYWORD, value);
  if (typeof value === 'boolean') return pair(SearchAttributeType.BOOL, value);
  if (typeof value === 'number') {
    return pair(
      Number.isInteger(value) ? SearchAttributeType.INT : SearchAttributeType.DOUBLE,
      value,
    );
  }
  if (value instanceof Date) return pair(SearchAttributeType.DATETIME, value);
  return pair(SearchAttributeType.KEYWORD_LIST, [...value]);
}

function startOptions(
  config: Readonly<TemporalWorkflowConfig>,
  workflowId: string,
  input: unknown,
): WorkflowStartOptions {
  const memo = Object.keys(config.metadata).length > 0 ? { ...config.metadata } : undefined;
  const attributes = Object.entries(config.searchAttributes).map(([name, value]) =>
    searchAttribute(name, value),
  );
  return {
    taskQueue: config.taskQueue,
    workflowId,
    args: [input],
    ...(config.timeoutMs > 0 ? { workflowExecutionTimeout: config.timeoutMs } : {}),
    ...(config.retries > 0 ? { retry: { maximumAttempts: config.retries + 1 } } : {}),
    ...(memo === undefined ? {} : { memo }),
    ...(attributes.length === 0 ? {} : { typedSearchAttributes: attributes }),
    ...(config.description === '' ? {} : { staticDetails: config.description }),
  };
}

/** `Promise.race` with a timer that is always cleared. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds the Temporal workflow for `workflowType` from a validated config. Every operation returns
 * a ResultAsync; nothing throws.
 */
export function temporalWorkflow<I, O>(
  workflowType: string,
  config: Readonly<TemporalWorkflowConfig>,
): TemporalWorkflow<I, O> {
  const source = temporalClientSource(config);
  const telemetry = createTelemetry(config);
  const prefix = config.idPrefix ?? `${config.name}-`;

  /**
   * Runs `fn` with the client inside a `baton.workflow.<op>` span; every Temporal failure becomes
   * one of our errors.
   */
  const call = <T>(
    op: string,
    workflowId: string,
    fn: (client: Client) => Promise<T>,
  ): ResultAsync<T, OrchestrationError> => {
    const attributes = { 'baton.name': config.name, 'baton.workflow.id': workflowId };
    const { span } = startSpan(
      telemetry.tracer,
      `baton.workflow.${op}`,
      attributes,
      context.active(),
    );
    // Temporal's client interceptor starts its span in the active context: make it ours.
    const inSpan = trace.setSpan(context.active(), span);
    const work = context.with(inSpan, () =>
      source.client().then((c) => context.with(inSpan, () => fn(c))),
    );
    return ResultAsync.fromPromise(work, (error) =>
      fromTemporalError(error, `${config.name}.${op}`),
    )
      .map((value) => {
        span.end();
        return value;
      })
      .mapErr((error) => {
        endSpanWithError(span, error);
        return error;
      });
  };

  /** `fn` with the server's answer due within `rpcTimeoutMs` (gRPC deadline, retries included). */
  const bounded =
    <T>(fn: (client: Client) => Promise<T>) =>
    (client: Client): Promise<T> =>
      client.connection.withDeadline(Date.now() + config.rpcTimeoutMs, () => fn(client));

  const handle = (
    op: string,
    workflowId: unknown,
    runId: unknown,
    fn: (h: WorkflowHandle) => Promise<unknown>,
    deadline = true,
  ): ResultAsync<unknown, OrchestrationError> => {
    const where = `${config.name}.${op}`;
    if (!isId(workflowId)) return errAsync(badArgument(where, 'workflowId', workflowId));
    if (!optionalId(runId)) return errAsync(badArgument(where, 'runId', runId));
    const run = (client: Client) => fn(client.workflow.getHandle(workflowId, runId));
    return call(op, workflowId, deadline ? bounded(run) : run);
  };

  return {
    name: config.name,
    description: config.description,
    workflowType,
    config,
    execute(input: I, options?: ExecuteWorkflowOptions) {
      const given = options?.workflowId;
      if (given !== undefined && !isId(given)) {
        return errAsync(badArgument(`${config.name}.execute`, 'workflowId', given));
      }
      const workflowId = given ?? `${prefix}${newRunId()}`;
      return call(
        'execute',
        workflowId,
        bounded(async (client): Promise<WorkflowExecution> => {
          const started = await client.workflow.start(
            workflowType,
            startOptions(config, workflowId, input),
          );
          return { workflowId: started.workflowId, runId: started.firstExecutionRunId };
        }),
      );
    },
    getResult(workflowId, runId) {
      return handle('getResult', workflowId, runId, (h) => h.result(), false) as ResultAsync<
        O,
        OrchestrationError
      >;
    },
    signal(workflowId, runId, name, payload) {
      if (!isId(name)) return errAsync(badArgument(`${config.name}.signal`, 'name', name));
      const args = payload === undefined ? [] : [payload];
      return handle('signal', workflowId, runId, (h) => h.signal(name, ...args)).map(() => {});
    },
    query<R>(workflowId: string, runId: string | undefined, name: string, ...args: unknown[]) {
      if (!isId(name)) return errAsync(badArgument(`${config.name}.query`, 'name', name));
      return handle('query', workflowId, runId, (h) => h.query(name, ...args)) as ResultAsync<
        R,
        OrchestrationError
      >;
    },
    cancel(workflowId, runId) {
      return handle('cancel', workflowId, runId, (h) => h.cancel()).map(() => {});
    },
    terminate(workflowId, runId, reason) {
      return handle('terminate', workflowId, runId, (h) => h.terminate(reason)).map(() => {});
    },
    check: () => checkServer(config, () => source.connection()),
    close: () => source.close(),
  };
}

/** Asks the server for its system info and the namespace, bounded by `checkTimeoutMs`. */
async function checkServer(
  config: Readonly<TemporalWorkflowConfig>,
  connect: () => Promise<import('@temporalio/client').Connection>,
): Promise<HealthReport> {
  const component = `workflow:${config.name}`;
  const where = { address: config.connection ? 'given connection' : config.address };
  const started = Date.now();
  const deadline = started + config.checkTimeoutMs;
  try {
    const info = await within(
      config.checkTimeoutMs,
      connect().then(async (connection) => {
        const system = await connection.withDeadline(deadline, () =>
          connection.workflowService.getSystemInfo({}),
        );
        await connection.withDeadline(deadline, () =>
          connection.workflowService.describeNamespace({ namespace: config.namespace }),
        );
        return system;
      }),
    );
    return healthReport(component, 'healthy', {
      ...where,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      serverVersion: info.serverVersion ?? '',
      latencyMs: Date.now() - started,
    });
  } catch (error) {
    return healthReport(component, 'unhealthy', {
      ...where,
      namespace: config.namespace,
      error: showError(error),
      latencyMs: Date.now() - started,
    });
  }
}
