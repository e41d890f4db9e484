import type {
  CheckpointStore,
  HealthReport,
  NodeCheckpoint,
  Option,
  OrchestrationError,
  RunCheckpoint,
  RunPage,
  RunQuery,
  StoredRun,
} from '@baton/core';
import { resolveOptions } from '@baton/core/authoring';
import { errAsync, type Result, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import {
  pruneAfterSave,
  retentionShape,
  type CheckpointRetention,
  type RetentionConfig,
} from './checkpoint-retention.js';
import {
  decodeNode,
  decodeRun,
  encodeNode,
  encodeRun,
  latestNodes,
  runNotFound,
} from './internal/checkpoint-records.js';
import { openPostgres, type PostgresConnection } from './internal/postgres-connection.js';
import { pageOf, parseQuery, type ParsedQuery } from './internal/run-query.js';
import { validateId } from './internal/validate-id.js';
import { POSTGRES_DEFAULTS, postgresConfigShape, type PostgresConfig } from './postgres-options.js';

/** Options of {@link createPostgresCheckpointStore}. */
export interface PostgresCheckpointStoreConfig extends PostgresConfig, RetentionConfig {}

/** A checkpoint store in PostgreSQL; `close()` ends the pool it opened. */
export interface PostgresCheckpointStore extends CheckpointStore {
  close(): Promise<void>;
}

const DEFAULTS: PostgresCheckpointStoreConfig = { ...POSTGRES_DEFAULTS, retention: undefined };

const schema = z.object({
  ...postgresConfigShape,
  ...retentionShape,
}) as z.ZodType<PostgresCheckpointStoreConfig>;

/** The WHERE clause and parameters of a listing. */
function whereOf(q: ParsedQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (q.statuses !== undefined) clauses.push(`status = ANY(${param([...q.statuses])})`);
  if (q.graph !== undefined) clauses.push(`graph = ${param(q.graph)}`);
  if (q.before !== undefined) clauses.push(`started_at < ${param(q.before)}`);
  if (q.after !== undefined) clauses.push(`started_at > ${param(q.after)}`);
  if (q.cursor !== undefined) {
    const at = param(q.cursor.startedAt);
    clauses.push(
      `(started_at < ${at} OR (started_at = ${at} AND run_id < ${param(q.cursor.runId)}))`,
    );
  }
  return { sql: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
}

class PostgresStore implements PostgresCheckpointStore {
  readonly #runs: string;
  readonly #nodes: string;

  constructor(
    private readonly conn: PostgresConnection,
    private readonly retention: CheckpointRetention | undefined,
  ) {
    this.#runs = `"${conn.schema}".checkpoint_runs`;
    this.#nodes = `"${conn.schema}".checkpoint_nodes`;
  }

  saveRun(run: RunCheckpoint): ResultAsync<void, OrchestrationError> {
    const op = 'postgresCheckpointStore.saveRun';
    const encoded = encodeRun(run, op);
    if (encoded.isErr()) return errAsync(encoded.error);
    return this.conn
      .run(op, async (db) => {
        await db.query(
          `INSERT INTO ${this.#runs} (run_id, graph, status, started_at, updated_at, record)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (run_id) DO UPDATE SET graph = EXCLUDED.graph, status = EXCLUDED.status,
             started_at = EXCLUDED.started_at, updated_at = EXCLUDED.updated_at,
             record = EXCLUDED.record`,
          [run.runId, run.graph, run.status, run.startedAt, run.updatedAt, encoded.value],
        );
      })
      .andThen(() => pruneAfterSave(this, this.retention, run, op));
  }

  saveNode(record: NodeCheckpoint): ResultAsync<void, OrchestrationError> {
    const op = 'postgresCheckpointStore.saveNode';
    const encoded = encodeNode(record, op);
    if (encoded.isErr()) return errAsync(encoded.error);
    // One row per node: a node write never touches the run's other rows.
    return this.conn.run(op, async (db) => {
      await db.query(
        `INSERT INTO ${this.#nodes} (run_id, node, record) VALUES ($1, $2, $3)
         ON CONFLICT (run_id, node) DO UPDATE SET record = EXCLUDED.record`,
        [record.runId, record.node, encoded.value],
      );
    });
  }

  loadRun(runId: string): ResultAsync<StoredRun, OrchestrationError> {
    const op = 'postgresCheckpointStore.loadRun';
    const valid = validateId(runId, 'runId', op, 'invalid_input');
    if (valid.isErr()) return errAsync(valid.error);
    // One transaction, so the run and its nodes are read at one point in time.
    return this.conn.transaction(op, async (db) => {
      await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const runs = await db.query<{ record: string }>(
        `SELECT record FROM ${this.#runs} WHERE run_id = $1`,
        [runId],
      );
      const row = runs.rows[0];
      if (row === undefined) throw runNotFound(op, runId);
      const where = `${this.#runs}[${runId}]`;
      const nodes = await db.query<{ node: string; record: string }>(
        `SELECT node, record FROM ${this.#nodes} WHERE run_id = $1`,
        [runId],
      );
      return {
        run: decodeRun(row.record, where, op),
        nodes: latestNodes(
          nodes.rows.map((n) => decodeNode(n.record, `${this.#nodes}[${runId}, ${n.node}]`, op)),
        ),
      };
    });
  }

  listRuns(query?: RunQuery): ResultAsync<RunPage, OrchestrationError> {
    const op = 'postgresCheckpointStore.listRuns';
    const parsed = parseQuery(query, op);
    if (parsed.isErr()) return errAsync(parsed.error);
    const q = parsed.value;
    const where = whereOf(q);
    return this.conn.run(op, async (db) => {
      const result = await db.query<{ run_id: string; record: string }>(
        `SELECT run_id, record FROM ${this.#runs} ${where.sql}
         ORDER BY started_at DESC, run_id DESC LIMIT ${q.limit + 1}`,
        where.params,
      );
      const runs = result.rows.map((row) =>
        decodeRun(row.record, `${this.#runs}[${row.run_id}]`, op),
      );
      return pageOf(runs, q);
    });
  }

  deleteRun(runId: string): ResultAsync<void, OrchestrationError> {
    const op = 'postgresCheckpointStore.deleteRun';
    const valid = validateId(runId, 'runId', op, 'invalid_input');
    if (valid.isErr()) return errAsync(valid.error);
    // The run row and its node rows go together or not at all.
    return this.conn.transaction(op, async (db) => {
      await db.query(`DELETE FROM ${this.#nodes} WHERE run_id = $1`, [runId]);
      await db.query(`DELETE FROM ${this.#runs} WHERE run_id = $1`, [runId]);
    });
  }

  check(): Promise<HealthReport> {
    return this.conn.check('checkpoint-store:postgres', { schema: this.conn.schema });
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

/**
 * A checkpoint store in PostgreSQL (the `pg` client): one row per run in
 * `<schema>.checkpoint_runs` and one row per finished node in `<schema>.checkpoint_nodes`
 * (an upsert: a node write never rewrites the run), both holding the codec's text. The tables
 * are created on first use (or beforehand with `migratePostgres`). Deleting a run removes its
 * rows in one transaction; `loadRun` reads in one snapshot. Failures become `dependency_failed`
 * (server down), `timeout` or `invalid_config` (credentials, database) naming the URL without
 * its password.
 *
 * @example
 * const result = createPostgresCheckpointStore(withPostgresUrl('postgres://postgres@127.0.0.1:5432/app'));
 * if (result.isErr()) throw result.error;
 * const store = result.value;
 * // ... hand it to a graph, then:
 * await store.close();
 */
export function createPostgresCheckpointStore(
  ...options: Option<PostgresCheckpointStoreConfig>[]
): Result<PostgresCheckpointStore, OrchestrationError> {
  const op = 'createPostgresCheckpointStore';
  return resolveOptions(DEFAULTS, options, schema, op).andThen((config) =>
    openPostgres(config, op).map((conn) => new PostgresStore(conn, config.retention)),
  );
}
