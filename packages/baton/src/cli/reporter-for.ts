import type { CommandContext } from './commands/context.js';
import { createJsonReporter } from './json-reporter.js';
import { createPlainReporter } from './plain-reporter.js';
import type { Reporter } from './reporter.js';
import { createTtyReporter } from './tty-reporter.js';

/** `--json`: NDJSON; a sized terminal: the live view; anything else: a plain line per event. */
export function reporterFor(ctx: CommandContext, json: boolean | undefined): Reporter {
  if (json === true) return createJsonReporter(ctx);
  // A terminal of no width (a pty nobody sized) cannot hold a live view: plain lines then.
  const columns = (ctx.stdout as { columns?: number }).columns ?? 0;
  return ctx.isTTY && columns > 0 ? createTtyReporter(ctx) : createPlainReporter(ctx);
}
