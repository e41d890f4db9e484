import { OrchestrationError } from '@baton/core';
import { err, ok, type Result } from 'neverthrow';

/**
 * One error for every failed structure call of a graph, or Ok when there was none. Its code and
 * `details.reason` are those of the first failure, its message lists them all, `details.errors`
 * holds them, and `cause` is the first.
 */
export function structureErrors(
  errors: readonly OrchestrationError[],
  graphName: string,
  method: string,
): Result<void, OrchestrationError> {
  const first = errors[0];
  if (first === undefined) return ok(undefined);
  const op = `${graphName}.${method}`;
  const count = errors.length === 1 ? 'a structure call' : `${errors.length} structure calls`;
  const list = errors.map((e, i) => `  ${i + 1}. ${e.message}`).join('\n');
  const message =
    `${op}: the graph cannot run because ${count} failed (an Err that was not handled); ` +
    `fix ${errors.length === 1 ? 'it' : 'them'} and build the graph again:\n${list}`;
  return err(
    new OrchestrationError(first.code, message, {
      op,
      cause: first,
      details: { reason: first.details.reason, errors: [...errors] },
    }),
  );
}
