/**
 * Consumers of one Redis stream in child processes, each running a trigger of a two-node graph
 * with a Redis checkpoint store. One is killed with SIGKILL while its runs are in flight; the
 * others take its pending events over (XAUTOCLAIM after claimIdleMs) and resume their runs.
 * Then: every event has exactly one run and it succeeded, no node whose checkpoint was stored
 * before the kill ran again, no event was lost, the dead-letter stream is empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRedisCheckpointStore, withRedisClient, withRedisKeyPrefix } from '@baton/memory';
import { connectRedis, requireRedis, type TestRedis } from '@baton/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/stream-consumer.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const EVENTS = 40;

interface Consumer {
  readonly proc: ChildProcess;
  starts: number;
  stderr: string;
  readonly ready: Promise<void>;
  waitStarts(count: number): Promise<void>;
}

function consumer(prefix: string, name: string, delayMs = 300): Consumer {
  const arg = JSON.stringify({ url: REDIS_URL, prefix, consumer: name, delayMs });
  const proc = spawn(process.execPath, ['--import', 'tsx', child, arg], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const waiters: { count: number; resolve: () => void }[] = [];
  let onReady!: () => void;
  const c: Consumer = {
    proc,
    starts: 0,
    stderr: '',
    ready: new Promise((resolve) => (onReady = resolve)),
    waitStarts: (count) =>
      new Promise((resolve) => {
        if (c.starts >= count) resolve();
        else waiters.push({ count, resolve });
      }),
  };
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (line === 'ready') onReady();
      if (line === 's') c.starts += 1;
    }
    for (const w of waiters.filter((x) => c.starts >= x.count)) w.resolve();
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => (c.stderr += chunk));
  return c;
}

async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe.runIf(await requireRedis())('Redis Streams trigger under a consumer crash', () => {
  let redis: TestRedis;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await connectRedis({ label: 'baton-rstream-crash' });
  });
  afterAll(async () => {
    for (const proc of children) if (proc.exitCode === null) proc.kill('SIGKILL');
    await redis.close();
  });

  it('SIGKILL mid-processing: others take the events over, one completed run each', async () => {
    const { prefix, client } = redis;
    const stream = `${prefix}events`;
    const store = createRedisCheckpointStore(
      withRedisClient(client),
      withRedisKeyPrefix(`${prefix}cp:`),
    )._unsafeUnwrap();
    const victim = consumer(prefix, 'victim');
    const survivor = consumer(prefix, 'survivor');
    children.push(victim.proc, survivor.proc);
    await within(60_000, 'consumers ready', Promise.all([victim.ready, survivor.ready]));
    const ids: string[] = [];
    for (let n = 0; n < EVENTS; n += 1) {
      ids.push((await client.xadd(stream, '*', 'payload', JSON.stringify({ n }))) ?? '');
    }
    await within(30_000, 'victim runs in flight', victim.waitStarts(3));
    victim.proc.kill('SIGKILL');
    await new Promise((resolve) => victim.proc.once('exit', resolve));

    // What the victim left: entries pending under its name, node records already stored.
    const left = await client.xpending(stream, 'workers', '-', '+', 1000, 'victim');
    expect(left.length).toBeGreaterThan(0);
    const storedBefore = new Map<number, Set<string>>();
    for (const [n, id] of ids.entries()) {
      const run = await store.loadRun(`crash:${id}`);
      if (run.isOk()) storedBefore.set(n, new Set(run.value.nodes.map((node) => node.node)));
    }
    // A third consumer joins after the crash.
    const late = consumer(prefix, 'late');
    children.push(late.proc);

    await within(
      60_000,
      `all runs complete (stderr: ${survivor.stderr}${late.stderr})`,
      (async () => {
        for (;;) {
          const summary = (await client.xpending(stream, 'workers')) as [number];
          const info = (await client.xinfo('GROUPS', stream)) as unknown[][];
          const lag = info[0]?.[info[0].indexOf('lag') + 1];
          if (summary[0] === 0 && lag === 0) return;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })(),
    );

    const page = (await store.listRuns({ limit: 1000 }))._unsafeUnwrap();
    expect(page.runs).toHaveLength(EVENTS);
    for (const [n, id] of ids.entries()) {
      const run = (await store.loadRun(`crash:${id}`))._unsafeUnwrap();
      expect(run.run.status, `event ${n}`).toBe('succeeded');
      for (const node of ['work', 'finish']) {
        const runs = Number(await client.get(`${prefix}runs:${node}:${n}`));
        // A node stored before the kill never runs again; one in flight at the kill runs again.
        if (storedBefore.get(n)?.has(node) === true) expect(runs, `${node} of ${n}`).toBe(1);
        else expect(runs, `${node} of ${n}`).toBeGreaterThanOrEqual(1);
      }
    }
    // Only nodes in flight at the kill ran twice: at most the victim's concurrency (4).
    let extra = 0;
    for (let n = 0; n < EVENTS; n += 1) {
      for (const node of ['work', 'finish'])
        extra += Number(await client.get(`${prefix}runs:${node}:${n}`)) - 1;
    }
    expect(extra).toBeLessThanOrEqual(4);
    expect(await client.xlen(`${stream}:dead`)).toBe(0);

    for (const c of [survivor, late]) c.proc.kill('SIGTERM');
    await Promise.all(
      [survivor, late].map((c) => new Promise((resolve) => c.proc.once('exit', resolve))),
    );
    await store.close();
  }, 120_000);

  it('SIGSTOP past claimIdleMs, then SIGCONT: the woken consumer does not take the event back', async () => {
    const prefix = `${redis.prefix}stall:`;
    const { client } = redis;
    const stream = `${prefix}events`;
    const a = consumer(prefix, 'a', 4_000);
    const b = consumer(prefix, 'b', 4_000);
    children.push(a.proc, b.proc);
    await within(60_000, 'consumers ready', Promise.all([a.ready, b.ready]));
    await client.xadd(stream, '*', 'payload', JSON.stringify({ n: 0 }));
    const stalled = await within(
      30_000,
      'a run starts',
      Promise.race([a.waitStarts(1).then(() => a), b.waitStarts(1).then(() => b)]),
    );
    const other = stalled === a ? b : a;
    stalled.proc.kill('SIGSTOP');
    // The other consumer takes the entry over once it idles past claimIdleMs (1 s).
    await within(30_000, 'takeover', other.waitStarts(1));
    stalled.proc.kill('SIGCONT');
    await within(
      30_000,
      `the event acknowledged (stderr: ${a.stderr}${b.stderr})`,
      (async () => {
        for (;;) {
          const summary = (await client.xpending(stream, 'workers')) as [number];
          const finished = Number(await client.get(`${prefix}runs:finish:0`));
          if (summary[0] === 0 && finished > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })(),
    );
    // Let the woken consumer's run end (its work node ignores the cancel and sleeps on).
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect(Number(await client.get(`${prefix}runs:finish:0`))).toBe(1);
    // The node in flight at the pause ran in both: the window the docs describe.
    expect(Number(await client.get(`${prefix}runs:work:0`))).toBe(2);
    expect(stalled.stderr).toContain('taken over');
    expect(await client.xlen(`${stream}:dead`)).toBe(0);
    for (const c of [a, b]) c.proc.kill('SIGTERM');
    await Promise.all([a, b].map((c) => new Promise((resolve) => c.proc.once('exit', resolve))));
  }, 120_000);
});
