import {
  type CheckpointStore,
  type HealthReport,
  type NodeCheckpoint,
  type Option,
  type OrchestrationError,
  type RunCheckpoint,
  type RunPage,
  type RunQuery,
  type StoredRun,
} from '@baton/core';
import { resolveOptions } from '@baton/core/authoring';
import { errAsync, type Result, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import {
  decodeNode,
  decodeRun,
  encodeNode,
  encodeRun,
  latestNodes,
  newestFirst,
  runNotFound,
} from './internal/checkpoint-records.js';
import { matchesQuery, pageOf, parseQuery } from './internal/run-query.js';
import { openRedis, type RedisConnection } from './internal/redis-connection.js';
import { validateId } from './internal/validate-id.js';
import {
  pruneAfterSave,
  retentionShape,
  type CheckpointRetention,
  type RetentionConfig,
} from './checkpoint-retention.js';
import { REDIS_DEFAULTS, redisConfigShape, type RedisConfig } from './redis-options.js';

/** Options of {@link createRedisCheckpointStore}. */
export interface RedisCheckpointStoreConfig extends RedisConfig, RetentionConfig {
  /**
   * Prefix of the store's keys: `<prefix>run:<runId>` (the run record), `<prefix>nodes:<runId>`
   * (a hash of node records by node name) and `<prefix>runs` (a sorted set of run ids).
   * @default 'baton:checkpoint:'
   */
  readonly keyPrefix: string;
}

/** A checkpoint store in Redis; `close()` closes the connection it opened. */
export interface RedisCheckpointStore extends CheckpointStore {
  close(): Promise<void>;
}

const DEFAULTS: RedisCheckpointStoreConfig = {
  ...REDIS_DEFAULTS,
  keyPrefix: 'baton:checkpoint:',
  retention: undefined,
};

const schema = z.object({
  ...redisConfigShape,
  ...retentionShape,
}) as z.ZodType<RedisCheckpointStoreConfig>;

/** Run records read per MGET while listing. */
const LIST_BATCH = 500;

type Replies = [Error | null, unknown][] | null;

function replies(result: Replies): unknown[] {
  if (result === null) throw new Error('transaction aborted');
  return result.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

class RedisStore implements RedisCheckpointStore {
  constructor(
    private readonly conn: RedisConnection,
    private readonly prefix: string,
    private readonly retention: CheckpointRetention | undefined,
  ) {}

  saveRun(run: RunCheckpoint): ResultAsync<void, OrchestrationError> {
    const op = 'redisCheckpointStore.saveRun';
    const encoded = encodeRun(run, op);
    if (encoded.isErr()) return errAsync(encoded.error);
    return this.#run(op, async () => {
      const tx = this.conn.client
        .multi()
        .set(this.#runKey(run.runId), encoded.value)
        .zadd(this.#indexKey(), run.startedAt, run.runId);
      replies(await tx.exec());
    }).andThen(() => pruneAfterSave(this, this.retention, run, op));
  }

  saveNode(record: NodeCheckpoint): ResultAsync<void, OrchestrationError> {
    const op = 'redisCheckpointStore.saveNode';
    const encoded = encodeNode(record, op);
    if (encoded.isErr()) return errAsync(encoded.error);
    return this.#run(op, async () => {
      await this.conn.client.hset(this.#nodesKey(record.runId), record.node, encoded.value);
    });
  }

  loadRun(runId: string): ResultAsync<StoredRun, OrchestrationError> {
    const op = 'redisCheckpointStore.loadRun';
    const valid = validateId(runId, 'runId', op, 'invalid_input');
    if (valid.isErr()) return errAsync(valid.error);
    return this.#run(op, async () => {
      const runKey = this.#runKey(runId);
      const nodesKey = this.#nodesKey(runId);
      const tx = this.conn.client.multi().get(runKey).hgetall(nodesKey);
      const [runJson, nodeFields] = replies(await tx.exec()) as [
        string | null,
        Record<string, string>,
      ];
      if (runJson === null) throw runNotFound(op, runId);
      const run = decodeRun(runJson, runKey, op);
      const nodes = Object.entries(nodeFields).map(([field, json]) =>
        decodeNode(json, `${nodesKey}[${field}]`, op),
      );
      return { run, nodes: latestNodes(nodes) };
    });
  }

  listRuns(query?: RunQuery): ResultAsync<RunPage, OrchestrationError> {
    const op = 'redisCheckpointStore.listRuns';
    const parsed = parseQuery(query, op);
    if (parsed.isErr()) return errAsync(parsed.error);
    const q = parsed.value;
    return this.#run(op, async () => {
      // The index is scored by start time: only the ids in the time window are read.
      let max = q.cursor === undefined ? '+inf' : String(q.cursor.startedAt);
      if (q.before !== undefined && (q.cursor === undefined || q.before <= q.cursor.startedAt))
        max = `(${q.before}`;
      const min = q.after === undefined ? '-inf' : `(${q.after}`;
      const ids = await this.conn.client.zrevrangebyscore(this.#indexKey(), max, min);
      const runs: RunCheckpoint[] = [];
      for (let start = 0; start < ids.length; start += LIST_BATCH) {
        const keys = ids.slice(start, start + LIST_BATCH).map((id) => this.#runKey(id));
        const values = await this.conn.client.mget(...keys);
        for (const [index, json] of values.entries()) {
          if (json === null) continue; // deleted between the two reads
          const run = decodeRun(json, keys[index] as string, op);
          if (matchesQuery(run, q)) runs.push(run);
        }
      }
      return pageOf(newestFirst(runs), q);
    });
  }

  deleteRun(runId: string): ResultAsync<void, OrchestrationError> {
    const op = 'redisCheckpointStore.deleteRun';
    const valid = validateId(runId, 'runId', op, 'invalid_input');
    if (valid.isErr()) return errAsync(valid.error);
    return this.#run(op, async () => {
      const tx = this.conn.client
        .multi()
        .del(this.#runKey(runId), this.#nodesKey(runId))
        .zrem(this.#indexKey(), runId);
      replies(await tx.exec());
    });
  }

  check(): Promise<HealthReport> {
    return this.conn.check('checkpoint-store:redis', { keyPrefix: this.prefix });
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  #runKey(runId: string): string {
    return `${this.prefix}run:${runId}`;
  }

  #nodesKey(runId: string): string {
    return `${this.prefix}nodes:${runId}`;
  }

  #indexKey(): string {
    return `${this.prefix}runs`;
  }

  #run<T>(op: string, fn: () => Promise<T>): ResultAsync<T, OrchestrationError> {
    return this.conn.run(op, fn);
  }
}

/**
 * A checkpoint store in Redis: the run record is one string key, each finished node one field of
 * a per-run hash (HSET: a node write never touches the rest of the run), and a sorted set by
 * start time lists the runs. Connection failures become `dependency_failed` naming the URL
 * without its password.
 *
 * @example
 * const result = createRedisCheckpointStore(withRedisUrl(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'));
 * if (result.isErr()) throw result.error;
 * const store = result.value;
 * // ... hand it to a graph, then:
 * await store.close();
 */
export function createRedisCheckpointStore(
  ...options: Option<RedisCheckpointStoreConfig>[]
): Result<RedisCheckpointStore, OrchestrationError> {
  const op = 'createRedisCheckpointStore';
  return resolveOptions(DEFAULTS, options, schema, op).andThen((config) =>
    openRedis(config, op).map((conn) => new RedisStore(conn, config.keyPrefix, config.retention)),
  );
}
