/**
 * Checkpoint stores: size and write overhead, with LangGraph's MemorySaver side by side in the
 * same process.
 *
 * A chain of N nodes (N = 250, 500, 1,000), each returning a small record ({ i, text of 32
 * characters }), runs on every Baton store (in-memory, file, Redis, PostgreSQL) and without a
 * checkpointer. Reported per store:
 * - write overhead per node = (time with the store - time without) / N, from the mean of a few
 *   runs (the chain is sequential, so each node's checkpoint write is on the critical path);
 * - stored bytes after one run (the run record plus the node records as each store keeps them:
 *   file sizes, Redis value lengths, PostgreSQL `octet_length` of the record columns), and bytes
 *   per node, which stays flat when the size grows linearly.
 * The peer: a LangGraph StateGraph chain of N nodes whose state collects every node's record
 * (a reducer appending to a list, the usual way to keep results), with MemorySaver; its size is
 * the bytes of every stored checkpoint and pending write.
 * Redis (REDIS_URL) and PostgreSQL (POSTGRES_URL) rows are skipped when the server is missing.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnable, type CheckpointStore, type Graph } from '@baton/core';
import { createGraph, withGraphCheckpointer, withGraphName } from '@baton/graph';
import {
  createFileCheckpointStore,
  createInMemoryCheckpointStore,
  createPostgresCheckpointStore,
  createRedisCheckpointStore,
  withDirectory,
  withPostgresSchema,
  withPostgresUrl,
  withRedisKeyPrefix,
  withRedisUrl,
} from '@baton/memory';
import { Annotation, END, MemorySaver, START, StateGraph } from '@langchain/langgraph';
import { Redis } from 'ioredis';
import pg from 'pg';

const SIZES = [250, 500, 1_000] as const;
const RUNS = 3;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const text = 'x'.repeat(32);

interface Measured {
  readonly store: string;
  readonly nodes: number;
  readonly meanMs: number;
  readonly bytes: number | undefined;
}

function chain(n: number, store: CheckpointStore | undefined): Graph<number> {
  const g = createGraph<number>(
    withGraphName(`bench-chain-${n}`),
    ...(store === undefined ? [] : [withGraphCheckpointer(store)]),
  )._unsafeUnwrap();
  for (let i = 0; i < n; i++) {
    g.addNode(
      `n${i}`,
      runnable(`n${i}`, () => ({ i, text })),
    )._unsafeUnwrap();
    if (i > 0) g.addEdge(`n${i - 1}`, `n${i}`)._unsafeUnwrap();
  }
  return g;
}

/** Mean wall time of RUNS runs (after one warm-up), and the id of the last run. */
async function time(graph: Graph<number>): Promise<{ meanMs: number; runId: string }> {
  (await graph.invoke(0))._unsafeUnwrap();
  let total = 0;
  let runId = '';
  for (let r = 0; r < RUNS; r++) {
    runId = randomUUID();
    const started = performance.now();
    (await graph.invoke(0, { runId }))._unsafeUnwrap();
    total += performance.now() - started;
  }
  return { meanMs: total / RUNS, runId };
}

interface BenchStore {
  readonly name: string;
  readonly store: CheckpointStore;
  /** Bytes the store keeps for `runId`; undefined when it cannot tell. */
  bytes(runId: string): Promise<number | undefined>;
  close(): Promise<void>;
}

async function fileStore(): Promise<BenchStore> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-bench-ckpt-'));
  return {
    name: 'file',
    store: createFileCheckpointStore(withDirectory(dir))._unsafeUnwrap(),
    async bytes(runId) {
      const runDir = join(dir, encodeURIComponent(runId));
      let total = 0;
      for (const f of await readdir(runDir)) total += (await stat(join(runDir, f))).size;
      return total;
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

async function redisStore(): Promise<BenchStore | undefined> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch {
    client.disconnect();
    return undefined;
  }
  const prefix = `baton-bench:${randomUUID()}:`;
  const store = createRedisCheckpointStore(
    withRedisUrl(REDIS_URL),
    withRedisKeyPrefix(prefix),
  )._unsafeUnwrap();
  return {
    name: 'redis',
    store,
    async bytes(runId) {
      const run = await client.strlen(`${prefix}run:${runId}`);
      const nodes = await client.hgetall(`${prefix}nodes:${runId}`);
      return run + Object.values(nodes).reduce((n, v) => n + Buffer.byteLength(v), 0);
    },
    async close() {
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.unlink(...keys);
      await store.close();
      client.disconnect();
    },
  };
}

async function postgresStore(): Promise<BenchStore | undefined> {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch {
    await pool.end();
    return undefined;
  }
  const schema = `baton_bench_${randomUUID().slice(0, 8)}`;
  const store = createPostgresCheckpointStore(
    withPostgresUrl(POSTGRES_URL),
    withPostgresSchema(schema),
  )._unsafeUnwrap();
  return {
    name: 'postgres',
    store,
    async bytes(runId) {
      const { rows } = await pool.query<{ bytes: string }>(
        `SELECT (SELECT coalesce(sum(octet_length(record)), 0) FROM "${schema}".checkpoint_runs WHERE run_id = $1)
              + (SELECT coalesce(sum(octet_length(record)), 0) FROM "${schema}".checkpoint_nodes WHERE run_id = $1) AS bytes`,
        [runId],
      );
      return Number(rows[0]?.bytes ?? NaN);
    },
    async close() {
      await store.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

function memoryStore(): BenchStore {
  return {
    name: 'memory',
    store: createInMemoryCheckpointStore()._unsafeUnwrap(),
    bytes: () => Promise.resolve(undefined),
    close: () => Promise.resolve(),
  };
}

// ---- LangGraph peer ----------------------------------------------------------------------

const LgState = Annotation.Root({
  results: Annotation<{ i: number; text: string }[]>({
    reducer: (a, b) => a.concat(b),
    default: () => [],
  }),
});

async function langgraph(n: number): Promise<Measured> {
  const g = new StateGraph(LgState) as unknown as StateGraph<
    typeof LgState.spec,
    unknown,
    unknown,
    string
  >;
  for (let i = 0; i < n; i++) g.addNode(`n${i}`, () => ({ results: [{ i, text }] }));
  g.addEdge(START, 'n0');
  for (let i = 1; i < n; i++) g.addEdge(`n${i - 1}`, `n${i}`);
  g.addEdge(`n${n - 1}`, END);
  const saver = new MemorySaver();
  const compiled = g.compile({ checkpointer: saver });
  const started = performance.now();
  const thread = randomUUID();
  const out = (await compiled.invoke(
    { results: [] },
    { configurable: { thread_id: thread }, recursionLimit: 1_000_000 },
  )) as { results: unknown[] };
  const meanMs = performance.now() - started;
  if (out.results.length !== n) throw new Error(`langgraph chain ${n}: ${out.results.length}`);
  let bytes = 0;
  for (const ns of Object.values(saver.storage[thread] ?? {}))
    for (const [checkpoint, metadata] of Object.values(ns))
      bytes += checkpoint.byteLength + metadata.byteLength;
  for (const writes of Object.values(saver.writes))
    for (const [, , value] of Object.values(writes)) bytes += value.byteLength;
  return { store: 'langgraph MemorySaver', nodes: n, meanMs, bytes };
}

// ---- run -----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const stores = [memoryStore(), await fileStore(), await redisStore(), await postgresStore()];
  const present = stores.filter((s): s is BenchStore => s !== undefined);
  for (const s of stores)
    if (s === undefined) console.log('(a server is missing: its rows are skipped)');
  const rows: Measured[] = [];
  try {
    for (const n of SIZES) {
      const none = await time(chain(n, undefined));
      rows.push({ store: 'none', nodes: n, meanMs: none.meanMs, bytes: undefined });
      for (const s of present) {
        const measured = await time(chain(n, s.store));
        rows.push({
          store: s.name,
          nodes: n,
          meanMs: measured.meanMs,
          bytes: await s.bytes(measured.runId),
        });
      }
      rows.push(await langgraph(n));
    }
  } finally {
    for (const s of present) await s.close();
  }
  const baseline = (n: number): number =>
    rows.find((r) => r.store === 'none' && r.nodes === n)?.meanMs ?? NaN;
  console.log('\nCheckpoint stores: a chain of N nodes, each returning { i, text of 32 chars }');
  console.table(
    rows.map((r) => ({
      store: r.store,
      nodes: r.nodes,
      'ms / run': r.meanMs.toFixed(1),
      'write overhead / node (µs)':
        r.store === 'none' || r.store.startsWith('langgraph')
          ? ''
          : (((r.meanMs - baseline(r.nodes)) / r.nodes) * 1000).toFixed(0),
      'stored bytes': r.bytes ?? '',
      'bytes / node': r.bytes === undefined ? '' : (r.bytes / r.nodes).toFixed(1),
    })),
  );
  for (const name of new Set(rows.filter((r) => r.bytes !== undefined).map((r) => r.store))) {
    const size = (n: number): number =>
      rows.find((r) => r.store === name && r.nodes === n)?.bytes ?? NaN;
    console.log(
      `${name}: size(1000) / size(250) = ${(size(1_000) / size(250)).toFixed(2)} (linear: 4, quadratic: 16)`,
    );
  }
}

await main();
