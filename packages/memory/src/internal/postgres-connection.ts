import {
  isOrchestrationError,
  OrchestrationError,
  type ErrorCode,
  type HealthReport,
} from '@baton/core';
import { healthReport } from '@baton/core/authoring';
import { err, ok, type Result, type ResultAsync } from 'neverthrow';
import pg from 'pg';
import type { PostgresConfig } from '../postgres-options.js';
import { attempt } from './attempt.js';
import { redactUrl, scrubSecrets, secretsOf } from './redact-url.js';

/** What a query needs: a pool, or the client of a transaction. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** A pool plus what is needed to run, bound and report the backend's queries. */
export interface PostgresConnection {
  readonly pool: pg.Pool;
  /** The URL with the password replaced by `***`. */
  readonly url: string;
  readonly schema: string;
  /**
   * Runs one operation after the schema exists: never rejects, maps failures to
   * OrchestrationErrors naming the (redacted) URL, bounded by the query timeout.
   */
  run<T>(op: string, fn: (db: Queryable) => Promise<T>): ResultAsync<T, OrchestrationError>;
  /** Like `run`, inside one transaction (BEGIN ... COMMIT, ROLLBACK on failure). */
  transaction<T>(op: string, fn: (db: Queryable) => Promise<T>): ResultAsync<T, OrchestrationError>;
  /** `SELECT 1` bounded by the query timeout, with the pool's counts; never rejects. */
  check(component: string, details: Readonly<Record<string, unknown>>): Promise<HealthReport>;
  /** Ends the pool when this connection opened it; idempotent. */
  close(): Promise<void>;
}

const UNREACHABLE =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE|Connection terminated|connect ETIMEDOUT|timeout expired|timeout exceeded when trying to connect|the database system is (starting up|shutting down)/iu;
const TIMEOUT = /Query read timeout|statement timeout|canceling statement/iu;

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

function classify(error: unknown, message: string): ErrorCode {
  const code = codeOf(error);
  // 28xxx: authentication; 3D000: no such database; 42501: permission denied.
  if (code.startsWith('28') || code === '3D000' || code === '42501') return 'invalid_config';
  if (code === '57014' || TIMEOUT.test(message)) return 'timeout';
  if (code.startsWith('08') || code === '57P03' || UNREACHABLE.test(`${code} ${message}`))
    return 'dependency_failed';
  return 'execution_failed';
}

/** The message of an error, with an AggregateError's (one per address tried) joined. */
function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.message === '')
    return error.errors.map((e: unknown) => messageOf(e)).join('; ');
  return error instanceof Error ? error.message || codeOf(error) : String(error);
}

/** The SQL creating the backends' tables in `schema` (idempotent). */
function schemaSql(schema: string): string {
  const s = `"${schema}"`;
  return `
    CREATE SCHEMA IF NOT EXISTS ${s};
    CREATE TABLE IF NOT EXISTS ${s}.checkpoint_runs (
      run_id text COLLATE "C" PRIMARY KEY,
      graph text NOT NULL,
      status text NOT NULL,
      started_at double precision NOT NULL,
      updated_at double precision NOT NULL,
      record text NOT NULL
    );
    CREATE INDEX IF NOT EXISTS checkpoint_runs_newest
      ON ${s}.checkpoint_runs (started_at DESC, run_id DESC);
    CREATE INDEX IF NOT EXISTS checkpoint_runs_graph_status
      ON ${s}.checkpoint_runs (graph, status, started_at DESC);
    CREATE TABLE IF NOT EXISTS ${s}.checkpoint_nodes (
      run_id text COLLATE "C" NOT NULL,
      node text NOT NULL,
      record text NOT NULL,
      PRIMARY KEY (run_id, node)
    );
    CREATE TABLE IF NOT EXISTS ${s}.chat_messages (
      session_id text NOT NULL,
      seq bigserial NOT NULL,
      message jsonb NOT NULL,
      PRIMARY KEY (session_id, seq)
    );`;
}

/** Creates the tables of the backends in `schema` when missing; concurrent callers take turns. */
async function createSchema(db: Queryable, schema: string): Promise<void> {
  await db.query('BEGIN');
  try {
    // Two processes creating the same tables at once would collide in the catalog.
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`baton.migrate.${schema}`]);
    await db.query(schemaSql(schema));
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

class Connection implements PostgresConnection {
  readonly url: string;
  #lastError: string | undefined;
  #closed = false;
  #migrated: Promise<void> | undefined;

  constructor(
    readonly pool: pg.Pool,
    rawUrl: string,
    readonly schema: string,
    private readonly secrets: readonly string[],
    private readonly owned: boolean,
    private readonly queryTimeoutMs: number,
  ) {
    this.url = redactUrl(rawUrl);
    // An idle client losing its server emits on the pool; without a listener it would crash
    // the process. The reason is kept for the next failure's message.
    if (owned) pool.on('error', (error: unknown) => (this.#lastError = this.#scrub(error)));
  }

  error(op: string, error: unknown): OrchestrationError {
    if (isOrchestrationError(error)) return error;
    const message = this.#scrub(error);
    const code = classify(error, message);
    const cause = new Error(message);
    cause.name = error instanceof Error ? error.name : 'Error';
    return new OrchestrationError(code, `${op}: ${this.#describe(code, message)}`, {
      op,
      cause,
      retryable: code !== 'invalid_config' && code !== 'execution_failed',
      details: { url: this.url, ...(codeOf(error) === '' ? {} : { sqlState: codeOf(error) }) },
    });
  }

  #describe(code: ErrorCode, reason: string): string {
    switch (code) {
      case 'dependency_failed':
        return `PostgreSQL at ${this.url} is unreachable (${reason}${this.#lastError === undefined || this.#lastError === reason ? '' : `; last pool error: ${this.#lastError}`}); check that the server runs there and that the URL is right`;
      case 'timeout':
        return `PostgreSQL at ${this.url} did not answer within ${this.queryTimeoutMs} ms (${reason}); check the server or raise withPostgresQueryTimeoutMs`;
      case 'invalid_config':
        return `PostgreSQL at ${this.url} refused the request (${reason}); check the user, password, database and permissions in the URL`;
      default:
        return `PostgreSQL at ${this.url} failed: ${reason}`;
    }
  }

  #migrate(): Promise<void> {
    this.#migrated ??= (async () => {
      const client = await this.pool.connect();
      try {
        await createSchema(client, this.schema);
      } finally {
        client.release();
      }
    })().catch((error: unknown) => {
      this.#migrated = undefined; // try again on the next call
      throw error;
    });
    return this.#migrated;
  }

  run<T>(op: string, fn: (db: Queryable) => Promise<T>): ResultAsync<T, OrchestrationError> {
    return attempt(
      () =>
        this.#bounded(async () => {
          await this.#migrate();
          return fn(this.pool);
        }),
      (error) => this.error(op, error),
    );
  }

  transaction<T>(
    op: string,
    fn: (db: Queryable) => Promise<T>,
  ): ResultAsync<T, OrchestrationError> {
    return attempt(
      () =>
        this.#bounded(async () => {
          await this.#migrate();
          const client = await this.pool.connect();
          let broken = false;
          try {
            await client.query('BEGIN');
            const value = await fn(client);
            await client.query('COMMIT');
            return value;
          } catch (error) {
            await client.query('ROLLBACK').catch(() => (broken = true));
            throw error;
          } finally {
            // A client whose ROLLBACK failed is in an unknown state: drop it from the pool.
            client.release(broken);
          }
        }),
      (error) => this.error(op, error),
    );
  }

  async check(
    component: string,
    details: Readonly<Record<string, unknown>>,
  ): Promise<HealthReport> {
    const started = performance.now();
    const pool = {
      total: this.pool.totalCount,
      idle: this.pool.idleCount,
      waiting: this.pool.waitingCount,
    };
    try {
      await this.#bounded(() => this.pool.query('SELECT 1'));
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      return healthReport(component, 'healthy', { ...details, url: this.url, latencyMs, pool });
    } catch (error) {
      const mapped = this.error(`${component}.check`, error);
      return healthReport(component, 'unhealthy', {
        ...details,
        url: this.url,
        pool,
        code: mapped.code,
        error: mapped.message,
      });
    }
  }

  /** `fn()`, rejected with "Query read timeout" after the query timeout; the timer is cleared. */
  async #bounded<T>(fn: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Query read timeout')), this.queryTimeoutMs);
    });
    try {
      return await Promise.race([fn(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (!this.owned || this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }

  #scrub(error: unknown): string {
    return scrubSecrets(messageOf(error), this.secrets);
  }
}

function invalidUrl(op: string, url: string): OrchestrationError {
  return new OrchestrationError(
    'invalid_config',
    `${op}: invalid url = ${JSON.stringify(redactUrl(url))}: expected postgres://[user[:password]@]host[:port]/database`,
    { op, details: { field: 'url', value: redactUrl(url) } },
  );
}

/** Opens (lazily: nothing connects before the first query) or adopts a pool. */
export function openPostgres(
  config: PostgresConfig,
  op: string,
): Result<PostgresConnection, OrchestrationError> {
  const secrets = secretsOf(config.url);
  const timeout = config.queryTimeoutMs;
  if (config.pool !== undefined) {
    const o = config.pool.options;
    const url = `postgres://${o.user ?? ''}@${o.host ?? '127.0.0.1'}:${o.port ?? 5432}/${o.database ?? ''}`;
    return ok(new Connection(config.pool, url, config.schema, secrets, false, timeout));
  }
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch {
    return err(invalidUrl(op, config.url));
  }
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol) || parsed.hostname === '')
    return err(invalidUrl(op, config.url));
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.maxConnections,
    connectionTimeoutMillis: config.connectTimeoutMs,
    query_timeout: timeout,
    idleTimeoutMillis: 10_000,
    // An idle pool does not keep the process alive.
    allowExitOnIdle: true,
  });
  return ok(new Connection(pool, config.url, config.schema, secrets, true, timeout));
}
