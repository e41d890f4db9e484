import type { Option, OrchestrationError } from '@baton/core';
import { resolveOptions } from '@baton/core/authoring';
import { errAsync, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { openPostgres } from './internal/postgres-connection.js';
import { POSTGRES_DEFAULTS, postgresConfigShape, type PostgresConfig } from './postgres-options.js';

const schema = z.object(postgresConfigShape) as z.ZodType<PostgresConfig>;

/**
 * Creates the schema and tables of the PostgreSQL backends (checkpoint store and chat history)
 * when they are missing, then ends the pool it opened. The backends do the same on first use;
 * call this from a deploy step when the application's database user may not create tables.
 * Safe to run concurrently and repeatedly.
 *
 * @example
 * const migrated = await migratePostgres(withPostgresUrl(process.env.DATABASE_URL ?? ''));
 * if (migrated.isErr()) throw migrated.error;
 */
export function migratePostgres(
  ...options: Option<PostgresConfig>[]
): ResultAsync<void, OrchestrationError> {
  const op = 'migratePostgres';
  const config = resolveOptions(POSTGRES_DEFAULTS, options, schema, op);
  if (config.isErr()) return errAsync(config.error);
  const conn = openPostgres(config.value, op);
  if (conn.isErr()) return errAsync(conn.error);
  const c = conn.value;
  // `run` creates the schema before the work it is given (here none).
  const migrated = c.run(op, () => Promise.resolve());
  return new ResultAsync(
    Promise.resolve(migrated).then(async (result) => {
      await c.close();
      return result;
    }),
  );
}
