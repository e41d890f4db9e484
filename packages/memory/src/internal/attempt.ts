import type { OrchestrationError } from '@baton/core';
import { ResultAsync } from 'neverthrow';

/**
 * Runs `fn` and turns its outcome into a ResultAsync; a synchronous throw counts as a rejection,
 * so nothing escapes past the public API.
 */
export function attempt<T>(
  fn: () => Promise<T>,
  mapError: (error: unknown) => OrchestrationError,
): ResultAsync<T, OrchestrationError> {
  return ResultAsync.fromPromise(Promise.resolve().then(fn), mapError);
}
