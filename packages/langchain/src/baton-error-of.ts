import { isOrchestrationError, type OrchestrationError } from '@baton/core';

/** The property `toLangChain` sets on the error it throws to LangChain. */
export const BATON_ERROR = 'batonError';

/**
 * The Baton side of an error that `toLangChain` threw to LangChain: the run's OrchestrationError
 * (its `code`, `op`, `retryable`, `details`). `toLangChain` throws the error the user's code threw
 * (a LangChain `OutputParserException`, the `Error` of a Baton step) so that LangChain's
 * `instanceof` checks, `lc_error_code`, `withRetry` and `returnExceptions` see it unchanged, and
 * puts the OrchestrationError on it as the non-enumerable property `batonError`. `undefined` for
 * any other error.
 *
 * @example
 * try {
 *   await toLangChain(chain).invoke(input);
 * } catch (error) {
 *   const baton = batonErrorOf(error); // OrchestrationError | undefined
 *   if (baton?.code === 'execution_failed') console.warn(`step ${baton.op} failed`);
 * }
 */
export function batonErrorOf(error: unknown): OrchestrationError | undefined {
  if (isOrchestrationError(error)) return error;
  if ((typeof error !== 'object' && typeof error !== 'function') || error === null) {
    return undefined;
  }
  try {
    const value: unknown = (error as Record<string, unknown>)[BATON_ERROR];
    return isOrchestrationError(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
