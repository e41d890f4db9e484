import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { requireServer } from './require-server.js';
import type { RequireServerConfig } from './require-server.js';

/** The PostgreSQL the tests use when `POSTGRES_URL` is not set. */
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** What to do when no PostgreSQL answers. */
export const ENABLE_POSTGRES_HINT =
  'start one (`pg_ctlcluster <version> main start`, trust auth, database `test`) or point POSTGRES_URL at one.';

/** Options of {@link requirePostgres} and {@link isPostgresReachable}. */
export interface TestPostgresConfig {
  /**
   * Server and database. Nothing is started: the server must already run.
   * @default process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
   */
  readonly url?: string;
  /**
   * How long to wait for the server to answer before giving up. There is no retry.
   * @default 2000
   */
  readonly connectTimeoutMs?: number;
}

/** The URL the tests use: `config.url`, else `POSTGRES_URL`, else {@link DEFAULT_POSTGRES_URL}. */
export function testPostgresUrl(config: TestPostgresConfig = {}): string {
  return config.url ?? process.env.POSTGRES_URL ?? DEFAULT_POSTGRES_URL;
}

/** A fresh schema name for one suite (`baton_test_<label>_<random>`), to drop after it. */
export function testPostgresSchema(label = 'test'): string {
  return `baton_test_${label.replace(/[^A-Za-z0-9_]/gu, '_')}_${randomUUID().slice(0, 8)}`;
}

/**
 * Whether a PostgreSQL answers `SELECT 1` at the configured URL. Resolves `false` rather than
 * rejecting when it does not.
 */
export async function isPostgresReachable(config: TestPostgresConfig = {}): Promise<boolean> {
  const client = new pg.Client({
    connectionString: testPostgresUrl(config),
    connectionTimeoutMillis: config.connectTimeoutMs ?? 2_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * {@link requireServer} for PostgreSQL: connects to `POSTGRES_URL` (default
 * `postgres://postgres@127.0.0.1:5432/test`) once, with a short timeout. Use it with top-level
 * `await` in the test file: it skips with a message locally and fails under `CI=true`.
 *
 * @example
 * ```ts
 * describe.runIf(await requirePostgres())('PostgresCheckpointStore', () => {
 *   // createPostgresCheckpointStore(withPostgresUrl(testPostgresUrl()), ...)
 * });
 * ```
 */
export async function requirePostgres(
  config: RequireServerConfig & TestPostgresConfig = {},
): Promise<boolean> {
  return requireServer(
    `PostgreSQL at ${testPostgresUrl(config)}`,
    await isPostgresReachable(config),
    ENABLE_POSTGRES_HINT,
    config,
  );
}

/** Drops `schema` and everything in it (`DROP SCHEMA IF EXISTS ... CASCADE`), for after a suite. */
export async function dropPostgresSchema(
  schema: string,
  config: TestPostgresConfig = {},
): Promise<void> {
  const client = new pg.Client({
    connectionString: testPostgresUrl(config),
    connectionTimeoutMillis: config.connectTimeoutMs ?? 2_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/gu, '""')}" CASCADE`);
  } finally {
    await client.end();
  }
}
