import type { OrchestrationError } from '@baton/core';
import type { Result, ResultAsync } from 'neverthrow';

/** The value of an Ok, or throws the Err's error (so the test fails with it). */
export async function ok<T>(
  result: ResultAsync<T, OrchestrationError> | Result<T, OrchestrationError>,
): Promise<T> {
  const settled = await result;
  if (settled.isErr()) throw settled.error;
  return settled.value;
}

/** The error of an Err, or throws when the result is Ok. */
export async function fails<T>(
  result: ResultAsync<T, OrchestrationError> | Result<T, OrchestrationError>,
): Promise<OrchestrationError> {
  const settled = await result;
  if (settled.isOk()) throw new Error(`expected an error, got ${JSON.stringify(settled.value)}`);
  return settled.error;
}
