import { OrchestrationError, type ErrorCode } from '@baton/core';
import type { GraphErrorReason } from '../graph-error-reason.js';

// Public, so it lives outside internal/; re-exported for the modules that build graph errors.
export type { GraphErrorReason };

/** An error of the graph's structure API. */
export function graphError(
  code: ErrorCode,
  reason: GraphErrorReason,
  op: string,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
): OrchestrationError {
  return new OrchestrationError(code, `${op}: ${message}`, { op, details: { reason, ...details } });
}

/** Quotes and joins names for a message, listing at most `max` of them. */
export function listNames(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).map((n) => `"${n}"`);
  const more = names.length > max ? ` and ${names.length - max} more` : '';
  return `${shown.join(', ')}${more}`;
}
