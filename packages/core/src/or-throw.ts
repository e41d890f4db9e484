import type { Result } from 'neverthrow';
import { toOrchestrationError } from './errors.js';

/**
 * The value of an `Ok`; for an `Err`, throws its error: the `OrchestrationError` itself, a real
 * `Error` with its message, `code`, `details` and `cause` (any other error value is first mapped
 * with `toOrchestrationError`). Given a `ResultAsync` or a `Promise` of a Result, returns a
 * Promise that resolves to the value or rejects with the error. For scripts and tests, where a
 * failure should stop everything; code that can handle a failure matches on the Result instead.
 *
 * @example
 * const upper = runnable('upper', (text: string) => text.toUpperCase());
 * const text = await orThrow(upper.invoke('hi')); // 'HI'
 *
 * @example
 * const policy = orThrow(retryPolicy({ maxAttempts: 5 })); // throws invalid_config if bad
 */
export function orThrow<T, E>(result: Result<T, E>): T;
export function orThrow<T, E>(result: PromiseLike<Result<T, E>>): Promise<T>;
export function orThrow<T, E>(result: Result<T, E> | PromiseLike<Result<T, E>>): T | Promise<T> {
  if (isPromiseLike(result)) return Promise.resolve(result).then((settled) => unwrap(settled));
  return unwrap(result);
}

function unwrap<T, E>(result: Result<T, E>): T {
  if (result.isOk()) return result.value;
  throw toOrchestrationError(result.error, 'orThrow');
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
