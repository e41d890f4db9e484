import { OrchestrationError, runnable } from '@baton/core';
import { appendFile, mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { ActionDefinition } from '../contracts.js';
import { parseParameters } from './parameters.js';

const readSchema = z.looseObject({
  path: z.string().min(1),
  encoding: z.enum(['utf8', 'base64']).optional(),
});
const writeSchema = z.looseObject({
  path: z.string().min(1),
  content: z.string(),
  encoding: z.enum(['utf8', 'base64']).optional(),
  append: z.boolean().optional(),
});

function escapes(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

function refused(action: string, path: string, root: string): OrchestrationError {
  return new OrchestrationError(
    'invalid_input',
    `${action}: path "${path}" is outside the root directory ${root}; give a path under it`,
    { op: action, details: { path, root } },
  );
}

/**
 * The absolute path of `path` under `root`, following symbolic links: a link that leads out of
 * the root is refused like `../`. For a file not there yet, its nearest existing directory is
 * checked.
 */
async function underRoot(action: string, root: string, path: string): Promise<string> {
  const realRoot = await realpath(root);
  const target = resolve(realRoot, path);
  if (escapes(realRoot, target)) throw refused(action, path, root);
  let existing = target;
  for (;;) {
    try {
      const real = await realpath(existing);
      if (escapes(realRoot, real)) throw refused(action, path, root);
      return target;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      const parent = dirname(existing);
      if (parent === existing) return target;
      existing = parent;
    }
  }
}

/** `read_file`: the content of a file under the root directory. */
export function readFileAction(root: string): ActionDefinition {
  return {
    name: 'read_file',
    description: 'Reads a file under the root directory (utf8 or base64)',
    schema: readSchema,
    runnable: runnable('read_file', async (parameters: Record<string, unknown>, ctx) => {
      const p = parseParameters('read_file', readSchema, parameters);
      const file = await underRoot('read_file', root, p.path);
      return readFile(file, { encoding: p.encoding ?? 'utf8', signal: ctx.signal });
    }),
  };
}

/** `write_file`: writes (or appends) a file under the root directory, creating directories. */
export function writeFileAction(root: string): ActionDefinition {
  return {
    name: 'write_file',
    description: 'Writes or appends a file under the root directory',
    schema: writeSchema,
    runnable: runnable('write_file', async (parameters: Record<string, unknown>, ctx) => {
      const p = parseParameters('write_file', writeSchema, parameters);
      const file = await underRoot('write_file', root, p.path);
      await mkdir(dirname(file), { recursive: true });
      const data = Buffer.from(p.content, p.encoding ?? 'utf8');
      if (p.append === true) await appendFile(file, data);
      else await writeFile(file, data, { signal: ctx.signal });
      return { path: relative(await realpath(root), file), bytes: data.byteLength };
    }),
  };
}
