import { OrchestrationError, type ErrorCode } from '@baton/core';

/**
 * Why a structure operation or validation failed, in `error.details.reason`, so callers can
 * branch on it without parsing messages.
 */
export type GraphErrorReason =
  | 'frozen'
  | 'invalid-name'
  | 'invalid-runnable'
  | 'invalid-option'
  | 'duplicate-node'
  | 'unknown-node'
  | 'self-edge'
  | 'duplicate-edge'
  | 'invalid-edge-options'
  | 'invalid-router'
  | 'invalid-targets'
  | 'duplicate-router'
  | 'empty-graph'
  | 'cycle'
  | 'unreachable'
  | 'entry-has-parents'
  | 'no-checkpointer'
  | 'checkpoint-mismatch'
  | 'run-exists'
  | 'nesting-too-deep'
  | 'not-serialisable'
  | 'invalid-spec';

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
