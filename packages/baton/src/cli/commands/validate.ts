import { resolve } from 'node:path';
import { EXIT } from '../exit-codes.js';
import { formatDiagnostic } from '../../pipeline/pipeline-diagnostics.js';
import type { PipelineDiagnostic } from '../../pipeline/pipeline-types.js';
import { validatePipelineFile } from '../pipeline-session.js';
import type { CommandContext } from './context.js';
import { loadActions } from './load-actions.js';

/** Writes each diagnostic as `file:line:col: message` on stderr, then a count. */
export function printDiagnostics(
  diagnostics: readonly PipelineDiagnostic[],
  ctx: CommandContext,
): void {
  for (const d of diagnostics) ctx.stderr.write(`${formatDiagnostic(d)}\n`);
}

/** Options of `baton validate`. */
export interface ValidateOptions {
  readonly actions?: string[];
}

/**
 * `baton validate <files...>`: every diagnostic of every file. Exit 0 when all are valid, 2 when
 * a file has diagnostics or cannot be read, 1 when an actions module cannot be loaded.
 */
export async function validateCommand(
  files: readonly string[],
  options: ValidateOptions,
  ctx: CommandContext,
): Promise<number> {
  const { extensions, error } = await loadActions((options.actions ?? []).map((p) => resolve(p)));
  if (error !== undefined) return ctx.fail(error);
  let code: number = EXIT.ok;
  for (const file of files) {
    const loaded = await validatePipelineFile(file, extensions);
    if (loaded.isOk()) {
      ctx.stdout.write(`${file}: ok (${loaded.value.tasks.length} tasks)\n`);
      continue;
    }
    code = EXIT.usage;
    if (loaded.error.kind === 'error') ctx.stderr.write(`${file}: ${loaded.error.error.message}\n`);
    else {
      printDiagnostics(loaded.error.diagnostics, ctx);
      const n = loaded.error.diagnostics.length;
      ctx.stderr.write(`${file}: ${n} problem${n === 1 ? '' : 's'}\n`);
    }
  }
  return code;
}
