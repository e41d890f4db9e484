import { join, resolve } from 'node:path';
import { OrchestrationError, type CheckpointStore } from '@baton/core';
import { err, type Result } from 'neverthrow';

/** A checkpoint store opened for one command. */
export interface OpenedStore {
  readonly store: CheckpointStore;
  /** Where it is, for the user: a directory or a URL without credentials. */
  readonly where: string;
  /** The location to pass again (`--store`) to reach the same store. */
  readonly location: string;
  readonly close: () => Promise<void>;
}

/** Where checkpoints go without `--store` or `BATON_STORE`. */
const DEFAULT_STORE = '.baton';

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * Opens the store at `location`: `redis://` / `rediss://` URLs are a Redis store,
 * `postgres://` / `postgresql://` URLs a PostgreSQL one, anything else a directory whose
 * `checkpoints/` sub-directory holds a file store (default `.baton`).
 */
export async function openStore(
  location: string | undefined,
): Promise<Result<OpenedStore, OrchestrationError>> {
  const fromEnv = process.env['BATON_STORE'];
  const where = location ?? (fromEnv === undefined || fromEnv === '' ? DEFAULT_STORE : fromEnv);
  if (/^rediss?:\/\//.test(where)) {
    const memory = await import('@baton/memory');
    return memory.createRedisCheckpointStore(memory.withRedisUrl(where)).map((store) => ({
      store,
      where: redact(where),
      location: where,
      close: () => store.close(),
    }));
  }
  if (/^postgres(ql)?:\/\//.test(where)) {
    const memory = await import('@baton/memory');
    return memory.createPostgresCheckpointStore(memory.withPostgresUrl(where)).map((store) => ({
      store,
      where: redact(where),
      location: where,
      close: () => store.close(),
    }));
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where)) {
    return err(
      new OrchestrationError(
        'invalid_input',
        `--store ${where}: unknown scheme; use a directory, redis://host:port or postgres://user@host/db`,
        { op: 'baton' },
      ),
    );
  }
  const directory = resolve(where);
  // Not `@baton/memory`: its chat memories load LangChain, ioredis and pg (~0.3 s of start-up).
  const memory = await import('@baton/memory/file-store');
  return memory
    .createFileCheckpointStore(memory.withDirectory(join(directory, 'checkpoints')))
    .map((store) => ({
      store,
      where: directory,
      location: directory,
      close: () => Promise.resolve(),
    }));
}
