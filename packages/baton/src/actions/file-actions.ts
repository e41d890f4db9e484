import { OrchestrationError, runnable } from '@baton/core';
import { appendFile, mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ActionDefinition } from '../contracts.js';
import { READ_FILE, WRITE_FILE } from './builtin-signatures.js';
import { parseParameters } from './parameters.js';

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
    ...READ_FILE,
    runnable: runnable('read_file', async (parameters: Record<string, unknown>, ctx) => {
      const p = parseParameters('read_file', READ_FILE.schema, parameters);
      const file = await underRoot('read_file', root, p.path);
      return readFile(file, { encoding: p.encoding ?? 'utf8', signal: ctx.signal });
    }),
  };
}

/** `write_file`: writes (or appends) a file under the root directory, creating directories. */
export function writeFileAction(root: string): ActionDefinition {
  return {
    ...WRITE_FILE,
    runnable: runnable('write_file', async (parameters: Record<string, unknown>, ctx) => {
      const p = parseParameters('write_file', WRITE_FILE.schema, parameters);
      const file = await underRoot('write_file', root, p.path);
      await mkdir(dirname(file), { recursive: true });
      const data = Buffer.from(p.content, p.encoding ?? 'utf8');
      if (p.append === true) await appendFile(file, data);
      else await writeFile(file, data, { signal: ctx.signal });
      return { path: relative(await realpath(root), file), bytes: data.byteLength };
    }),
  };
}
