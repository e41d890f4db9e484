/**
 * @baton/core/authoring — what authors of providers and composite Runnables need and users do
 * not: the run engine (BaseRunnable, execute), step events, traced runs, the retry loop,
 * deadlines, signal helpers, the provider lookup. Named exports only; see docs/core.md
 * ("Public surface") for why each export is here.
 */

// running Runnables inside a run
export {
  BaseRunnable,
  emitStepError,
  execute,
  isBaseRunnable,
  reportRunFailures,
  takeRunFailures,
} from './base-runnable.js';
export type { EventSink, ExecutionContext } from './runnable.js';
export { checkRunOptions } from './check-run-options.js';
export { newRunId } from './run-id.js';
export { childPath, emitStepEnd, emitStepStart, trackOutput } from './step-events.js';
export type { OutputTracker } from './step-events.js';

// errors and messages
export { canceledError } from './errors.js';
export { showError, showValue } from './show-value.js';

// checkpoint values (for authors of checkpoint stores)
export {
  checkpointValuesEqual,
  decodeCheckpointValue,
  encodeCheckpointValue,
} from './checkpoint-codec.js';

// options and providers
export { resolveOptions } from './options.js';
export { createWithProvider } from './create-with-provider.js';

// retries, deadlines, signals
export { backoffDelay, runWithRetry } from './with-retry.js';
export type { RetryInfo } from './with-retry.js';
export { withDeadline } from './with-deadline.js';

// hooks and run statistics (for runners: graphs per node and run, chains per run)
export { checkHooks, runWithHooks } from './hooks.js';
export { recordRun, runStatsShape } from './run-stats.js';

// rate limits (for limiters kept in stores, and providers that draw on a limiter)
export { acquireRateLimit, rateLimitError } from './acquire-rate-limit.js';
export type { AcquireOptions } from './acquire-rate-limit.js';
export { checkRateLimitRequest, rateLimitsShape } from './rate-limiter.js';
export { NEVER_SIGNAL, childController, raceAbort, sleep } from './abort.js';
export { stableKey } from './with-cache.js';

// health
export { aggregateHealth, healthReport, worstStatus } from './health.js';
export type { AggregateHealthOptions } from './health.js';

// telemetry
export {
  createTelemetry,
  endSpanWithError,
  startSpan,
  telemetryOptionsShape,
  tracedRun,
  tracedRunIsNoop,
} from './telemetry.js';
export type {
  ExecutionKind,
  OrchestrationMetrics,
  Telemetry,
  TracedRunOptions,
} from './telemetry.js';
export { isRunnable } from './is-runnable.js';
