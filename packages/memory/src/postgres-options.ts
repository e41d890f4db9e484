import type { Option } from '@baton/core';
import type { Pool } from 'pg';
import { z } from 'zod';

/** Connection options shared by the PostgreSQL backends. */
export interface PostgresConfig {
  /**
   * Server and database, `postgres://[user[:password]@]host[:port]/database`. Errors and health
   * reports show it with the password replaced by `***`.
   * @default 'postgres://postgres@127.0.0.1:5432/postgres'
   */
  readonly url: string;
  /**
   * An existing `pg` Pool to use instead of opening one for `url`. The backend never ends a pool
   * it was given.
   * @default undefined (the backend opens and owns its own pool)
   */
  readonly pool: Pool | undefined;
  /**
   * Schema of the backend's tables, created with them on first use (see `migratePostgres`).
   * @default 'baton'
   */
  readonly schema: string;
  /**
   * Most connections of the backend's own pool; callers beyond it wait for a free one.
   * @default 10
   */
  readonly maxConnections: number;
  /**
   * How long to wait for a connection (a new one, or a free one of a full pool).
   * @default 5000
   */
  readonly connectTimeoutMs: number;
  /**
   * How long one query may run before it fails with `timeout`. Also bounds `check()`.
   * @default 10000
   */
  readonly queryTimeoutMs: number;
}

/** Sets the PostgreSQL URL (`postgres://user:password@host:port/database`). */
export function withPostgresUrl(url: string): Option<PostgresConfig> {
  return (draft) => {
    draft.url = url;
  };
}

/** Uses an existing `pg` Pool (not ended by the backend's `close()`). */
export function withPostgresPool(pool: Pool): Option<PostgresConfig> {
  return (draft) => {
    draft.pool = pool;
  };
}

/** Sets the schema of the backend's tables (a SQL identifier: letters, digits, `_`). */
export function withPostgresSchema(schema: string): Option<PostgresConfig> {
  return (draft) => {
    draft.schema = schema;
  };
}

/** Bounds the backend's own pool to `max` connections. */
export function withPostgresMaxConnections(max: number): Option<PostgresConfig> {
  return (draft) => {
    draft.maxConnections = max;
  };
}

/** Sets how long to wait for a connection, in milliseconds. */
export function withPostgresConnectTimeoutMs(ms: number): Option<PostgresConfig> {
  return (draft) => {
    draft.connectTimeoutMs = ms;
  };
}

/** Sets how long one query may run, in milliseconds. */
export function withPostgresQueryTimeoutMs(ms: number): Option<PostgresConfig> {
  return (draft) => {
    draft.queryTimeoutMs = ms;
  };
}

const isPool = (value: unknown): boolean =>
  value === undefined ||
  (typeof value === 'object' &&
    value !== null &&
    typeof (value as { connect?: unknown }).connect === 'function' &&
    typeof (value as { query?: unknown }).query === 'function');

const ms = z.number().int().positive('expected a positive number of milliseconds');

/** zod fields of {@link PostgresConfig}, for the backends' schemas. */
export const postgresConfigShape = {
  // The URL itself is checked apart, so an invalid one is never echoed with its password.
  url: z.string(),
  pool: z.custom<Pool | undefined>(isPool, 'expected a pg Pool (new Pool(...))'),
  schema: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/u, 'expected a SQL identifier (letters, digits, _)'),
  maxConnections: z.number().int().min(1, 'expected at least 1 connection').max(1_000),
  connectTimeoutMs: ms,
  queryTimeoutMs: ms,
};

/** Defaults of {@link PostgresConfig}. */
export const POSTGRES_DEFAULTS: PostgresConfig = {
  url: 'postgres://postgres@127.0.0.1:5432/postgres',
  pool: undefined,
  schema: 'baton',
  maxConnections: 10,
  connectTimeoutMs: 5_000,
  queryTimeoutMs: 10_000,
};
