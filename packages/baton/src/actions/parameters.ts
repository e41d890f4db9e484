import { OrchestrationError } from '@baton/core';
import type { z } from 'zod';

/**
 * The parameters of an action run, checked against its schema again (they were checked before
 * templates were rendered); a bad one fails with `invalid_input` naming the parameter.
 */
export function parseParameters<T>(action: string, schema: z.ZodType<T>, parameters: unknown): T {
  const parsed = schema.safeParse(parameters);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const list = issues
    .map((i) => `${i.path.length ? `parameters.${i.path.join('.')}` : 'parameters'}: ${i.message}`)
    .join('; ');
  throw new OrchestrationError('invalid_input', `${action}: ${list}`, {
    op: action,
    details: { issues },
  });
}
