import type { Result } from 'neverthrow';

/**
 * True for a neverthrow `Result` (an object with `isOk` and `isErr` methods), as returned by the
 * parts users plug in (steps, memories, providers, stores); false for anything else, also for an
 * object whose getters throw. The type arguments are the caller's claim, not checked.
 *
 * @example
 * isResult(ok(1)); // true
 * isResult({ isOk: true }); // false
 */
export function isResult<T = unknown, E = unknown>(value: unknown): value is Result<T, E> {
  try {
    return (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { isOk?: unknown }).isOk === 'function' &&
      typeof (value as { isErr?: unknown }).isErr === 'function'
    );
  } catch {
    return false;
  }
}
