/**
 * Fault test: two real worker processes poll one task queue and run a 50-node graph through the
 * `batonGraph` interpreter; one is killed
 * with SIGKILL mid-run. The run completes on the other with every node's output, and no node whose
 * completion the server had recorded runs again (each node logs its start and end, with its pid,
 * to a file; the history says which worker completed which node).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newRunId } from '@baton/core/authoring';
import {
  createTemporalGraphWorkflow,
  withGraphInterpreter,
  withTemporalAddress,
  withWorkflowTaskQueue,
} from '@baton/workflow-temporal';
import { Client, Connection } from '@temporalio/client';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dagGraph, expectedOutputs, layeredDag, nodeRunnables } from './fixtures/layered-graph.js';
import { bundleBatonWorkflows, quietRuntime } from './graph-harness.js';

const server = inject('temporal');
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const LAYERS = 5;
const WIDTH = 10;
const NODE_MS = 150;

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<number | null>;
}

function startWorker(config: Record<string, unknown>): Promise<WorkerProcess> {
  const script = fileURLToPath(new URL('./fixtures/dag-worker.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker not ready in 60 s:\n${output}`)),
      60_000,
    );
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const ready = /ready (\d+)/.exec(output);
      if (ready !== null) {
        clearTimeout(timer);
        resolve({ child, pid: Number(ready[1]), exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${String(code)}) before it was ready:\n${output}`));
    });
  });
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface LogLine {
  readonly node: string;
  readonly pid: number;
  readonly what: 'start' | 'end';
}

function readLog(path: string): LogLine[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [node = '', pid = '0', what] = line.split(' ');
      return { node, pid: Number(pid), what: what === 'end' ? 'end' : 'start' };
    });
}

describe.runIf(server !== undefined)('a worker killed mid-run (SIGKILL)', () => {
  const { address, namespace } = server ?? { address: '', namespace: '' };
  const taskQueue = `baton-fault-${newRunId()}`;
  const dir = mkdtempSync(join(tmpdir(), 'baton-fault-'));
  const log = join(dir, 'executions.log');
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    quietRuntime();
    const bundle = await bundleBatonWorkflows();
    const bundlePath = join(dir, 'workflows.js');
    writeFileSync(bundlePath, bundle.code);
    const config = { address, namespace, taskQueue, bundlePath, log, layers: LAYERS, width: WIDTH };
    workers.push(...(await Promise.all([0, 1].map(() => startWorker({ ...config, ms: NODE_MS })))));
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes on the surviving worker; no node completed before the kill runs again', async () => {
    const dag = layeredDag(LAYERS, WIDTH);
    // The same graph the workers serve (same names and structure: same fingerprint).
    const wf = createTemporalGraphWorkflow(
      dagGraph('fault', dag, nodeRunnables(dag), 1_000),
      withTemporalAddress(address, namespace),
      withWorkflowTaskQueue(taskQueue),
      withGraphInterpreter({ heartbeatTimeoutMs: 1_000 }),
    )._unsafeUnwrap();
    const run = (await wf.execute(1))._unsafeUnwrap();

    // Kill a worker that is running a node once about a quarter of the nodes are done.
    let victim: WorkerProcess | undefined;
    await until(() => {
      const lines = readLog(log);
      if (lines.filter((l) => l.what === 'end').length < 12) return false;
      const running = lines.filter(
        (l) => l.what === 'start' && !lines.some((e) => e.what === 'end' && e.node === l.node),
      );
      victim = workers.find((w) => running.some((l) => l.pid === w.pid));
      return victim !== undefined;
    }, 60_000);
    if (victim === undefined) throw new Error('unreachable');
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBeNull(); // killed by the signal, not exited
    const survivor = workers.find((w) => w !== victim)!;

    const result = await wf.getResult(run.workflowId);
    await wf.close();
    if (result.isErr()) throw result.error;
    expect(result.value.outputs).toEqual(expectedOutputs(dag, 1));

    // Who completed what, as the server recorded it.
    const connection = await Connection.connect({ address });
    const history = await new Client({ connection, namespace }).workflow
      .getHandle(run.workflowId)
      .fetchHistory();
    await connection.close();
    const scheduled = new Map<string, string>();
    const completedBy = new Map<string, string[]>();
    for (const event of history.events ?? []) {
      const s = event.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(event.eventId), s.activityType?.name ?? '');
      const c = event.activityTaskCompletedEventAttributes;
      if (c) {
        const node = scheduled.get(String(c.scheduledEventId)) ?? '?';
        completedBy.set(node, [...(completedBy.get(node) ?? []), c.identity ?? '']);
      }
    }
    expect([...completedBy.keys()].sort()).toEqual(dag.map((n) => n.name).sort());
    for (const [node, by] of completedBy) expect(by, node).toHaveLength(1);

    const identity = (w: WorkerProcess) => `${w.pid}@${hostname()}`;
    const byVictim = [...completedBy].filter(([, [by]]) => by === identity(victim)).map(([n]) => n);
    const bySurvivor = [...completedBy]
      .filter(([, [by]]) => by === identity(survivor))
      .map(([n]) => n);
    expect(byVictim.length).toBeGreaterThan(0);
    expect(byVictim.length + bySurvivor.length).toBe(dag.length);

    const lines = readLog(log);
    const starts = (node: string) => lines.filter((l) => l.node === node && l.what === 'start');
    // A node the server recorded as completed by the killed worker never started again.
    for (const node of byVictim) expect(starts(node), node).toHaveLength(1);
    // What the victim had in flight ran again on the survivor.
    const retried = dag.filter((n) => starts(n.name).length > 1).map((n) => n.name);
    expect(retried.length).toBeGreaterThan(0);
    for (const node of retried) {
      expect(starts(node)[0]?.pid, node).toBe(victim.pid);
      expect(bySurvivor).toContain(node);
    }
  }, 120_000);
});
