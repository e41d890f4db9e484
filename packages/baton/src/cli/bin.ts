#!/usr/bin/env node
import { processContext } from './commands/context.js';
import { main } from './program.js';

// A reader that went away (`baton runs | head`) is not a failure of the command: stop quietly
// instead of crashing on the unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const code = await main(process.argv, processContext());
process.exitCode = code;
// Stores and timers are closed by the commands; this guards against a handle left open by an
// action module keeping the process alive after the command ended.
setTimeout(() => process.exit(code), 1000).unref();
