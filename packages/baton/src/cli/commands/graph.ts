import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { showError } from '@baton/core/authoring';
import { OrchestrationError } from '@baton/core';
import { EXIT } from '../exit-codes.js';
import { loadPipeline } from '../pipeline-session.js';
import { drawPicture, nodeStates, taskSpec, type PictureFormat } from '../picture.js';
import { openStore } from '../store.js';
import type { CommandContext } from './context.js';
import { loadActions } from './load-actions.js';
import { printDiagnostics } from './validate.js';

/** Options of `baton graph`. */
export interface GraphOptions {
  readonly format?: PictureFormat;
  readonly run?: string;
  readonly output?: string;
  readonly actions?: string[];
  readonly store?: string;
}

/** `baton graph <file>`: the pipeline as Mermaid, ASCII or SVG; with `--run`, task states. */
export async function graphCommand(
  file: string,
  options: GraphOptions,
  ctx: CommandContext,
): Promise<number> {
  const { extensions, error } = await loadActions((options.actions ?? []).map((p) => resolve(p)));
  if (error !== undefined) return ctx.fail(error);
  const loaded = await loadPipeline(file, extensions);
  if (loaded.isErr()) {
    if (loaded.error.kind === 'error') return ctx.fail(loaded.error.error);
    printDiagnostics(loaded.error.diagnostics, ctx);
    return EXIT.usage;
  }
  const { pipeline } = loaded.value;
  const spec = taskSpec(pipeline, loaded.value.spec);
  let states: ReturnType<typeof nodeStates> | undefined;
  if (options.run !== undefined) {
    const opened = await openStore(options.store);
    if (opened.isErr()) return ctx.fail(opened.error);
    const stored = await opened.value.store.loadRun(options.run);
    await opened.value.close();
    if (stored.isErr()) return ctx.fail(stored.error);
    states = nodeStates(spec, stored.value);
  }
  const format = options.format ?? 'ascii';
  const color = format === 'ascii' && options.output === undefined && ctx.isTTY;
  let picture: string;
  try {
    picture = await drawPicture(spec, format, {
      ...(states === undefined ? {} : { states }),
      color,
    });
  } catch (cause) {
    return ctx.fail(
      new OrchestrationError(
        'execution_failed',
        `cannot draw ${file} as ${format}: ${showError(cause)}`,
        { op: 'baton graph' },
      ),
    );
  }
  if (options.output === undefined) {
    ctx.stdout.write(picture);
    return EXIT.ok;
  }
  try {
    await writeFile(options.output, picture);
  } catch (cause) {
    return ctx.fail(
      new OrchestrationError('invalid_input', `--output ${options.output}: ${showError(cause)}`, {
        op: 'baton graph',
      }),
    );
  }
  ctx.stdout.write(`wrote ${options.output}\n`);
  return EXIT.ok;
}
