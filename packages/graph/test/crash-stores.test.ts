/**
 * The crash suite: a child process runs a 200-node graph on a real store and is killed with
 * SIGKILL after a seeded number of node starts (early to late); this process then resumes the
 * run. For each store (file, Redis, PostgreSQL) and each of 20 kill points: the output equals an
 * uninterrupted run's, every node whose record was written before the kill ran exactly once, and
 * every node ran.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connectRedis,
  dropPostgresSchema,
  requirePostgres,
  requireRedis,
  testPostgresSchema,
  testPostgresUrl,
} from '@baton/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  crashSuiteGraph,
  NODES,
  openCrashStore,
  type CrashStoreSpec,
} from './fixtures/crash-suite-graph.js';

const child = fileURLToPath(new URL('./fixtures/crash-suite-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const KILL_POINTS = 20;
/** Children alive at once per store (three stores run side by side). */
const PARALLEL = 3;
const SEED = Number(process.env.BATON_CRASH_SEED ?? 20_261_204);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const hasRedis = await requireRedis();
const hasPostgres = await requirePostgres();

/** mulberry32: a small seeded PRNG, so a failing kill point can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Kill after this many node starts: one point in each twentieth of the run, early to late. */
function killPoints(seed: number): number[] {
  const random = prng(seed);
  return Array.from({ length: KILL_POINTS }, (_, i) =>
    Math.max(1, Math.floor(((i + random()) / KILL_POINTS) * (NODES - 5))),
  );
}

/** Runs the child until `starts` nodes started (or the run is done), then SIGKILLs it. */
function runAndKill(spec: CrashStoreSpec, runId: string, log: string, starts: number) {
  return new Promise<void>((resolve, reject) => {
    const arg = JSON.stringify({ store: spec, runId, log });
    const proc = spawn(process.execPath, ['--import', 'tsx', child, arg], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = 0;
    let killed = false;
    let stderr = '';
    const kill = () => {
      if (killed) return;
      killed = true;
      proc.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`the child did not reach ${starts} starts in time; stderr: ${stderr}`));
    }, 60_000);
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line === 's' && ++seen >= starts) kill();
        if (line === 'done') kill();
        if (line.startsWith('failed:')) stderr += line;
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    proc.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && killed && !stderr.includes('failed:')) resolve();
      else reject(new Error(`the child ended on its own (signal ${String(signal)}): ${stderr}`));
    });
  });
}

/** Runs `tasks` with at most `limit` at once. */
async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const workers = Array.from({ length: limit }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  });
  await Promise.all(workers);
  return results;
}

let dir = '';
let expected: unknown;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-crash-suite-'));
  expected = (await crashSuiteGraph(undefined, undefined).invoke(1))._unsafeUnwrap();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One kill point: kill, inspect the store, resume here, check the log and the output. */
async function killAndResume(spec: CrashStoreSpec, starts: number, point: number): Promise<void> {
  const runId = `crash-${spec.kind}-${point}-${starts}`;
  const log = join(dir, `${runId}.log`);
  await writeFile(log, '');
  await runAndKill(spec, runId, log, starts);

  const { store, close } = openCrashStore(spec);
  try {
    const before = await store.loadRun(runId);
    // A kill before the first node's record leaves the run record (written before any node).
    const recorded = new Set(
      before
        ._unsafeUnwrap()
        .nodes.filter((n) => n.status === 'succeeded')
        .map((n) => n.node),
    );
    const graph = crashSuiteGraph(store, log);
    const handle = (await graph.resume(runId))._unsafeUnwrap();
    const output = (await handle.result)._unsafeUnwrap();
    expect(output, `output after the kill at ${starts} starts`).toStrictEqual(expected);

    const counts = new Map<string, number>();
    for (const name of (await readFile(log, 'utf8')).split('\n').filter(Boolean))
      counts.set(name, (counts.get(name) ?? 0) + 1);
    expect(counts.size, 'every node ran').toBe(NODES);
    const again = [...recorded].filter((name) => counts.get(name) !== 1);
    expect(again, `recorded before the kill at ${starts} starts yet ran again`).toEqual([]);

    const after = (await store.loadRun(runId))._unsafeUnwrap();
    expect(after.run.status).toBe('succeeded');
    expect(after.nodes.filter((n) => n.status === 'succeeded')).toHaveLength(NODES);
  } finally {
    await close();
  }
}

/** The 20 kill points of one store, `PARALLEL` at a time; reports the time taken. */
async function crashSuite(spec: CrashStoreSpec): Promise<void> {
  const started = performance.now();
  const points = killPoints(SEED + spec.kind.length);
  await pool(
    PARALLEL,
    points.map((starts, i) => () => killAndResume(spec, starts, i)),
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `crash suite ${spec.kind}: ${KILL_POINTS} kill points (after ${points.join(', ')} node starts) in ${seconds} s`,
  );
}

const title = (kind: string): string =>
  `${kind}: ${KILL_POINTS} SIGKILLs at seeded moments, each resumed in another process`;
const SUITE = { timeout: 300_000, concurrent: true } as const;

// The three stores run side by side: each kill point mostly waits on a child process.
describe('crash suite: SIGKILL and resume on real stores', () => {
  it(title('file'), SUITE, () =>
    crashSuite({ kind: 'file', location: join(dir, 'store'), namespace: '' }),
  );

  it.runIf(hasRedis)(title('redis'), SUITE, async () => {
    // Only for its key prefix, whose keys close() deletes.
    const redis = await connectRedis({ label: 'crash-suite' });
    try {
      await crashSuite({ kind: 'redis', location: REDIS_URL, namespace: redis.prefix });
    } finally {
      await redis.close();
    }
  });

  it.runIf(hasPostgres)(title('postgres'), SUITE, async () => {
    const schema = testPostgresSchema('crash');
    try {
      await crashSuite({ kind: 'postgres', location: testPostgresUrl(), namespace: schema });
    } finally {
      await dropPostgresSchema(schema);
    }
  });
});
