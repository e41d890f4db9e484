import type { OrchestrationError } from '@baton/core';

/** The exit codes of `baton`, documented in the README. */
export const EXIT = {
  /** The command did what it was asked; a run succeeded. */
  ok: 0,
  /** A run failed (or a command about a run could not be carried out). */
  failed: 1,
  /** An invalid pipeline file, option or argument. */
  usage: 2,
  /** A run was interrupted (Ctrl-C) or canceled. */
  interrupted: 130,
} as const;

/** Usage-class errors: the user's file, option or argument is wrong. */
const USAGE_CODES = new Set(['invalid_config', 'invalid_input']);

/** Exit code for an error that ended a command. */
export function exitCodeOf(error: OrchestrationError): number {
  if (error.code === 'task_canceled') return EXIT.interrupted;
  return USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.failed;
}

/** Exit code of a run that ended with `status`. */
export function exitCodeOfRun(status: 'succeeded' | 'failed' | 'canceled'): number {
  return status === 'succeeded' ? EXIT.ok : status === 'canceled' ? EXIT.interrupted : EXIT.failed;
}
