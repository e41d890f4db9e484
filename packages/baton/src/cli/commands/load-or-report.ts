import { EXIT } from '../exit-codes.js';
import { loadPipeline, type Extensions, type LoadedPipeline } from '../pipeline-session.js';
import type { CommandContext } from './context.js';
import { printDiagnostics } from './validate.js';

/** Loads a pipeline file, or prints why it does not load and returns the exit code (2 or 1). */
export async function loadOrReport(
  file: string,
  extensions: Extensions,
  ctx: CommandContext,
): Promise<LoadedPipeline | number> {
  const loaded = await loadPipeline(file, extensions);
  if (loaded.isOk()) return loaded.value;
  if (loaded.error.kind === 'error') return ctx.fail(loaded.error.error);
  printDiagnostics(loaded.error.diagnostics, ctx);
  return EXIT.usage;
}
