import { randomUUID } from 'node:crypto';
import { open, readFile, rename, mkdir, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OrchestrationError } from '@baton/core';

const NEWLINE = 0x0a;

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'ENOENT';
}

/** Opens `path` with `flags`, creating its directory when missing. */
async function openCreatingDir(path: string, flags: string): Promise<FileHandle> {
  try {
    return await open(path, flags);
  } catch (error) {
    if (!isMissing(error)) throw error;
    await mkdir(dirname(path), { recursive: true });
    return open(path, flags);
  }
}

/** Flushes the directory entry of `path` (a new or renamed file) to disk. */
async function syncDir(path: string): Promise<void> {
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Cuts an unterminated last line (left by a crash mid-write; it was never acknowledged) so the next
 * append does not glue onto it. Returns the size after the cut.
 */
async function trimTornTail(handle: FileHandle): Promise<number> {
  const { size } = await handle.stat();
  if (size === 0) return 0;
  const chunk = Buffer.alloc(4096);
  let end = size;
  let keep = 0;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    if (end === size && chunk[bytesRead - 1] === NEWLINE) return size;
    const index = chunk.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (index >= 0) {
      keep = start + index + 1;
      break;
    }
    end = start;
  }
  await handle.truncate(keep);
  return keep;
}

/**
 * Appends `text` (whole lines, each ending in `\n`) and fsyncs before resolving: once this
 * resolves the lines survive a crash of the process or the machine.
 */
export async function appendDurably(path: string, text: string): Promise<void> {
  const handle = await openCreatingDir(path, 'a+');
  let created = false;
  try {
    created = (await trimTornTail(handle)) === 0;
    await handle.write(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (created) await syncDir(path);
}

/**
 * Replaces the whole file atomically: a crash leaves either the old or the new content. The temp
 * file's name does not grow with `path`'s (any file name that can be appended to can be replaced),
 * and it is removed when the write or rename fails.
 */
export async function replaceDurably(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.baton-${randomUUID()}.tmp`);
  try {
    const handle = await openCreatingDir(temp, 'w');
    try {
      await handle.write(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDir(path);
}

/** One parsed line and where it came from (1-based), for error messages. */
export interface JsonLine {
  readonly value: unknown;
  readonly line: number;
}

/**
 * The JSON values of a JSONL file (each line given to `parse`); a missing file has none. An unterminated last line is a torn
 * write and is skipped; blank lines are skipped; any other unparsable line fails with
 * `invalid_state` naming the file and line, since silently dropping it would lose data.
 */
export async function readJsonLines(
  path: string,
  op: string,
  parse: (line: string) => unknown = JSON.parse,
): Promise<JsonLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const lines = text.split('\n');
  lines.pop(); // '' after the final newline, or a torn fragment
  const out: JsonLine[] = [];
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    try {
      out.push({ value: parse(raw), line: index + 1 });
    } catch (cause) {
      throw corruptLine(op, path, index + 1, cause);
    }
  }
  return out;
}

/** The error for a line that cannot be used. */
export function corruptLine(
  op: string,
  path: string,
  line: number,
  cause: unknown,
): OrchestrationError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new OrchestrationError(
    'invalid_state',
    `${op}: ${path} is corrupt at line ${line} (${reason}); repair or remove that line (only a torn last line is skipped automatically)`,
    { op, cause, details: { path, line } },
  );
}
