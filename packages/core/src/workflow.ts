import type { Result, ResultAsync } from 'neverthrow';
import type { OrchestrationError } from './errors.js';
import type { HealthChecker } from './health.js';
import type { TelemetryOptions } from './telemetry.js';

/** Identifies one workflow execution. */
export interface WorkflowExecution {
  readonly workflowId: string;
  readonly runId: string;
}

/** Per-execution settings of {@link Workflow.execute}. */
export interface ExecuteWorkflowOptions {
  /**
   * The workflow id to start under. Starting an id that is still running fails with
   * `invalid_state`.
   * @default a fresh unique id (the workflow's id prefix + a UUID)
   */
  readonly workflowId?: string;
}

/** A durable, distributed workflow (Temporal in `@baton/workflow-temporal`). */
export interface Workflow<I = unknown, O = unknown> extends HealthChecker {
  readonly name: string;
  readonly description: string;
  /** Starts an execution with a unique workflow id, or with `options.workflowId`. */
  execute(
    input: I,
    options?: ExecuteWorkflowOptions,
  ): ResultAsync<WorkflowExecution, OrchestrationError>;
  /** Waits for an execution's result. */
  getResult(workflowId: string, runId?: string): ResultAsync<O, OrchestrationError>;
  signal(
    workflowId: string,
    runId: string | undefined,
    name: string,
    payload?: unknown,
  ): ResultAsync<void, OrchestrationError>;
  query<R = unknown>(
    workflowId: string,
    runId: string | undefined,
    name: string,
    ...args: unknown[]
  ): ResultAsync<R, OrchestrationError>;
  cancel(workflowId: string, runId?: string): ResultAsync<void, OrchestrationError>;
  terminate(
    workflowId: string,
    runId?: string,
    reason?: string,
  ): ResultAsync<void, OrchestrationError>;
}

/** Settings of a workflow, set with `withWorkflow*` options. */
export interface WorkflowConfig extends TelemetryOptions {
  readonly name: string;
  /** @default '' */
  readonly description: string;
  /** Execution timeout in ms; 0 means none. @default 0 */
  readonly timeoutMs: number;
  /** Retries after the first attempt. @default 0 */
  readonly retries: number;
  /** @default 'baton' */
  readonly taskQueue: string;
  /** @default {} */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** @default 'temporal' */
  readonly provider: string;
}

/** Builds workflows; registered under a name in a workflow registry. */
export interface WorkflowProvider {
  createWorkflow<I, O>(
    definition: unknown,
    config: Readonly<WorkflowConfig>,
  ): Result<Workflow<I, O>, OrchestrationError>;
}
