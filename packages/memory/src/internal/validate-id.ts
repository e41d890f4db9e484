import { OrchestrationError } from '@baton/core';
import { err, ok, type Result } from 'neverthrow';

/** Checks an id argument (session id, run id): a non-empty string without control characters. */
export function validateId(
  value: unknown,
  field: string,
  op: string,
  code: 'invalid_config' | 'invalid_input' = 'invalid_config',
): Result<string, OrchestrationError> {
  // eslint-disable-next-line no-control-regex
  if (typeof value === 'string' && value.trim() !== '' && !/[\u0000-\u001f]/u.test(value)) {
    return ok(value);
  }
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return err(
    new OrchestrationError(
      code,
      `${op}: invalid ${field} = ${shown}: expected a non-empty string without control characters`,
      { op, details: { field, value } },
    ),
  );
}

/**
 * A file name for an id: percent-encoded so any id maps to one safe name and two ids never share
 * one (`.` is encoded too, so `.` and `..` cannot escape the directory).
 */
export function fileNameFor(id: string): string {
  return encodeURIComponent(id).replace(/\./gu, '%2E').replace(/\*/gu, '%2A');
}
