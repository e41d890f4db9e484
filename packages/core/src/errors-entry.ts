/**
 * @baton/core/errors — the error type, how error messages show values, and the retry defaults
 * (which errors are retried), with no dependency: importing it loads none of zod, rxjs or
 * OpenTelemetry, which `@baton/core` loads at import. For code where start-up time counts and
 * that only checks input and reports errors (the `baton validate` command). The same bindings as
 * in `@baton/core` and `@baton/core/authoring`; see docs/core.md ("Public surface").
 */

export {
  ERROR_CODES,
  OrchestrationError,
  isCancellation,
  isOrchestrationError,
  isRetryable,
  toOrchestrationError,
} from './errors.js';
export type { ErrorCode, OrchestrationErrorOptions } from './errors.js';
export { showError, showValue } from './show-value.js';
export { DEFAULT_RETRY_POLICY } from './retry-policy.js';
export type { RetryPolicy } from './retry-policy.js';
