/**
 * @baton/core — contracts and primitives of Baton: what users call. Named exports only. What
 * authors of providers need besides is in `@baton/core/authoring`; docs/core.md ("Public
 * surface") says why each export is where it is.
 */

// errors
export {
  ERROR_CODES,
  OrchestrationError,
  isCancellation,
  isOrchestrationError,
  isRetryable,
  toOrchestrationError,
} from './errors.js';
export type { ErrorCode, OrchestrationErrorOptions } from './errors.js';
export { isResult } from './is-result.js';
export { orThrow } from './or-throw.js';

// functional options and registries
export type { Mutable, Option } from './options.js';
export { createRegistry } from './provider-registry.js';
export type { Registry } from './provider-registry.js';

// runnables
export { runnable } from './runnable-fn.js';
export type { FnOutput, StepFunction } from './runnable-fn.js';
export type {
  BatchOptions,
  EnclosingRun,
  InputOf,
  OutputOf,
  ParentStep,
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
  StepInterruptEvent,
  StepRetryEvent,
  StepSkipEvent,
  StepStartEvent,
} from './run-event.js';
export { lastOutput, toAsyncIterable } from './stream-helpers.js';

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
export { DEFAULT_RETRY_POLICY } from './retry-policy.js';
export type { RetryPolicy } from './retry-policy.js';
export { retryPolicy, withRetry } from './with-retry.js';
export { withTimeout } from './with-timeout.js';
export { withFallbacks } from './with-fallbacks.js';
export type { FallbackOptions } from './with-fallbacks.js';
export { withCircuitBreaker } from './with-circuit-breaker.js';
export type {
  CircuitBreakerOptions,
  CircuitBreakerRunnable,
  CircuitState,
} from './with-circuit-breaker.js';
export { withRateLimit } from './with-rate-limit.js';
export type { RateLimitedRunnable, RateLimitOptions } from './with-rate-limit.js';
export { createRateLimiter } from './rate-limiter.js';
export type {
  RateLimitDecision,
  RateLimiter,
  RateLimiterConfig,
  RateLimiterOptions,
  RateLimitRequest,
  RateLimits,
} from './rate-limiter.js';
export type { OnRateLimit } from './acquire-rate-limit.js';
export { withHooks } from './with-hooks.js';
export type { HookFailure, HookInfo, HookName, HookReturn, Hooks } from './hooks.js';
export { createRunStats, withRunStats } from './run-stats.js';
export type {
  DurationSummary,
  GraphRunStats,
  RunStats,
  RunStatsConfig,
  RunStatsEntry,
  RunStatsKind,
  RunStatsOptions,
  RunStatsSummary,
} from './run-stats.js';
export { withCache } from './with-cache.js';
export type { CacheOptions } from './with-cache.js';
export { createMemoryCacheStore } from './cache-store.js';
export type { CacheStore, MemoryCacheStore, MemoryCacheStoreOptions } from './cache-store.js';

// health
export type { HealthChecker, HealthReport, HealthStatus } from './health.js';

// telemetry and logging options
export {
  DEFAULT_METRICS_PREFIX,
  INSTRUMENTATION_SCOPE,
  withLogger,
  withMeterProvider,
  withMetricsPrefix,
  withTracerProvider,
} from './telemetry.js';
export type { TelemetryOptions } from './telemetry.js';
export { fromPino, noopLogger, withTraceFields } from './logger.js';
export type { LogFields, Logger, PinoLike } from './logger.js';

// contracts implemented by other packages
export { FINISHED_RUN_STATUSES, RUN_STATUSES } from './checkpoint-store.js';
export type {
  CheckpointStore,
  NodeCheckpoint,
  RunCheckpoint,
  RunPage,
  RunQuery,
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
export type {
  EdgeOptions,
  Graph,
  GraphConfig,
  GraphProvider,
  GraphRateLimit,
  NodeConfig,
  NodeInputFn,
  RouteTargets,
  Router,
  LoopCondition,
  NodeLoopConfig,
  NodeMapConfig,
  ResumeOptions,
  RunHandle,
  RunProgress,
  RunReport,
  TriggerRule,
} from './graph.js';
export type {
  GraphSpec,
  GraphSpecCache,
  GraphSpecConditionalEdges,
  GraphSpecEdge,
  GraphSpecLoop,
  GraphSpecMap,
  GraphSpecNode,
  GraphSpecRetryPolicy,
  GraphSpecSettings,
} from './graph-spec.js';
export type { Memory, MemoryValues } from './memory.js';
export type { ChatHistory } from './chat-history.js';
