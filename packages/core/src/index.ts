/**
 * @baton/core — contracts and primitives of Baton. Named exports only.
 */

// errors
export {
  ERROR_CODES,
  OrchestrationError,
  canceledError,
  circuitBreakerOpenError,
  dependencyFailedError,
  executionFailedError,
  invalidConfigError,
  invalidInputError,
  invalidStateError,
  isCancellation,
  isOrchestrationError,
  isRetryable,
  maxRetriesExceededError,
  notFoundError,
  orchestrationError,
  rateLimitExceededError,
  resourceExhaustedError,
  timeoutError,
  toOrchestrationError,
  workflowDeadlockError,
} from './errors.js';
export type { ErrorCode, OrchestrationErrorOptions } from './errors.js';
export { isResult } from './is-result.js';
export { showError, showValue } from './show-value.js';

// functional options and registries
export { resolveOptions } from './options.js';
export type { Mutable, Option } from './options.js';
export { createRegistry } from './provider-registry.js';
export type { Registry } from './provider-registry.js';

// runnables
export { BaseRunnable, emitStepError, execute, isBaseRunnable } from './base-runnable.js';
export { checkRunOptions } from './check-run-options.js';
export { runnable } from './runnable-fn.js';
export type { FnOutput, StepFunction } from './runnable-fn.js';
export type {
  BatchOptions,
  EventSink,
  ExecutionContext,
  InputOf,
  OutputOf,
  Runnable,
  RunOptions,
  StepContext,
} from './runnable.js';
export type {
  ChunkEvent,
  RunEndEvent,
  RunEvent,
  RunStartEvent,
  StepEndEvent,
  StepErrorEvent,
  StepEvent,
  StepRetryEvent,
  StepSkipEvent,
  StepStartEvent,
} from './run-event.js';
export { lastOutput, toAsyncIterable } from './stream-helpers.js';
export { NEVER_SIGNAL, childController, raceAbort, sleep } from './abort.js';
export { withDeadline } from './with-deadline.js';
export { newRunId } from './run-id.js';

// composition and resilience (one file each)
export { sequence } from './sequence.js';
export type {
  AnyRunnable,
  CheckedSteps,
  SequenceBoundaryError,
  SequenceInput,
  SequenceOutput,
} from './sequence.js';
export { parallel } from './parallel.js';
export type { ParallelOutput } from './parallel.js';
export { branch } from './branch.js';
export type { BranchCase, BranchPredicate } from './branch.js';
export { passthrough } from './passthrough.js';
export {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  retryPolicy,
  runWithRetry,
  withRetry,
} from './with-retry.js';
export type { RetryInfo, RetryPolicy } from './with-retry.js';
export { withTimeout } from './with-timeout.js';
export { withFallbacks } from './with-fallbacks.js';
export type { FallbackOptions } from './with-fallbacks.js';
export { withCircuitBreaker } from './with-circuit-breaker.js';
export type {
  CircuitBreakerOptions,
  CircuitBreakerRunnable,
  CircuitState,
} from './with-circuit-breaker.js';
export { stableKey, withCache } from './with-cache.js';
export type { CacheOptions } from './with-cache.js';
export { createMemoryCacheStore } from './cache-store.js';
export type { CacheStore, MemoryCacheStore, MemoryCacheStoreOptions } from './cache-store.js';

// health
export { aggregateHealth, healthReport, worstStatus } from './health.js';
export type {
  AggregateHealthOptions,
  HealthChecker,
  HealthReport,
  HealthStatus,
} from './health.js';

// telemetry and logging
export {
  DEFAULT_METRICS_PREFIX,
  INSTRUMENTATION_SCOPE,
  createTelemetry,
  endSpanWithError,
  startSpan,
  telemetryOptionsShape,
  tracedRun,
  withLogger,
  withMeterProvider,
  withMetricsPrefix,
  withTracerProvider,
} from './telemetry.js';
export type {
  ExecutionKind,
  OrchestrationMetrics,
  Telemetry,
  TelemetryOptions,
  TracedRunOptions,
} from './telemetry.js';
export { fromPino, noopLogger, withTraceFields } from './logger.js';
export type { LogFields, Logger, PinoLike } from './logger.js';

// contracts implemented by other packages
export type {
  CheckpointStore,
  NodeCheckpoint,
  RunCheckpoint,
  RunStatus,
  StoredRun,
} from './checkpoint-store.js';
export type {
  ExecuteWorkflowOptions,
  Workflow,
  WorkflowConfig,
  WorkflowExecution,
  WorkflowProvider,
} from './workflow.js';
export type { OrchestratorBase, OrchestratorMetrics } from './orchestrator.js';
export type { Chain, ChainConfig, ChainProvider } from './chain.js';
export { emitStepEnd, emitStepStart, trackOutput } from './step-events.js';
export type { OutputTracker } from './step-events.js';
export type {
  EdgeOptions,
  Graph,
  GraphConfig,
  GraphProvider,
  NodeConfig,
  NodeInputFn,
  RouteTargets,
  Router,
  RunHandle,
  RunProgress,
} from './graph.js';
export type { Memory, MemoryValues } from './memory.js';
export type { ChatHistory } from './chat-history.js';
