import type { OrchestrationError } from '@baton/core';
import { exitCodeOf } from '../exit-codes.js';

/** What a command writes to, and how it reports the error that ends it. */
export interface CommandContext {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** stdout is a terminal. */
  readonly isTTY: boolean;
  /** Writes `baton: <message>` to stderr and returns the error's exit code. */
  fail(error: OrchestrationError): number;
}

/** The context of a command run by the `baton` process. */
export function processContext(): CommandContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stdout.isTTY,
    fail(error) {
      process.stderr.write(`baton: ${error.message}\n`);
      return exitCodeOf(error);
    },
  };
}
