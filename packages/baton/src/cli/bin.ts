#!/usr/bin/env node
import { processContext } from './commands/context.js';
import { main } from './program.js';

const code = await main(process.argv, processContext());
process.exitCode = code;
// Stores and timers are closed by the commands; this guards against a handle left open by an
// action module keeping the process alive after the command ended.
setTimeout(() => process.exit(code), 1000).unref();
