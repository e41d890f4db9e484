/**
 * Baton's graph interpreter on Temporal (`batonGraph`) against the same graph written by hand as
 * a Temporal workflow, with the same activities, on one dev server, in one process (the worker
 * runs here too).
 *
 * 1. A 50-node layered DAG (5 layers x 10, each node depending on two of the layer before).
 *    Warm-up, then 20 runs of each, in two rounds (hand-written first, then Baton first), so
 *    both are measured in the server's steady state (its per-step dispatch latency rises after
 *    the first dozen steps). Reported: median and mean wall time per run, and the ratio of
 *    medians (target: Baton within 1.1x of hand-written).
 * 2. A 20,000-node layered DAG (200 layers x 100), over the history limit of one execution: the
 *    interpreter continues as new (every 10,000 events by default) and its spec goes by reference
 *    (1.5 MB of wire spec). Run once, with the worker's default isolateExecutionTimeout (5 s);
 *    reported: wall time, executions, events, bytes, the longest workflow task and failed
 *    workflow tasks per execution, and the load average.
 *
 * Needs the Temporal CLI (`bash scripts/ensure-temporal.sh`). `BENCH_QUICK=1` runs 3 iterations
 * and a 2,000-node graph instead; `BENCH_ONLY_BIG=1` skips the 50-node comparison,
 * `BENCH_ONLY_SMALL=1` the large graphs.
 */
import {
  createTemporalGraphWorkflow,
  createTemporalWorkflow,
  withTemporalAddress,
  withWorkflowTaskQueue,
} from '@baton/workflow-temporal';
import { createBatonWorker } from '@baton/workflow-temporal/worker';
import { loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { startTemporalDevServer } from '../packages/test-support/src/index.js';
import {
  dagGraph,
  expectedOutputs,
  layeredDag,
  nodeRunnables,
  type DagNode,
} from '../packages/workflow-temporal/test/fixtures/layered-graph.js';
import { runHistories } from '../packages/workflow-temporal/test/fixtures/run-history.js';
import { quietRuntime } from '../packages/workflow-temporal/test/graph-harness.js';

const quick = process.env['BENCH_QUICK'] === '1';
const ITERATIONS = quick ? 3 : 20;
const WARMUP = quick ? 1 : 5;
const BIG = quick ? { layers: 20, width: 100 } : { layers: 200, width: 100 };

const fmt = (x: number, digits = 0): string => x.toFixed(digits);
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

function sameOutputs(label: string, actual: unknown, expected: Record<string, number>): void {
  const a = actual as Record<string, unknown> | undefined;
  const wrong = Object.keys(expected).filter((k) => a?.[k] !== expected[k]);
  if (wrong.length > 0 || Object.keys(a ?? {}).length !== Object.keys(expected).length)
    throw new Error(`${label}: wrong outputs (${wrong.slice(0, 5).join(', ')} ...)`);
}

quietRuntime();
const server = await startTemporalDevServer({ startTimeoutMs: 120_000 });
const { address, namespace } = server;
const taskQueue = 'bench-temporal-graph';

const small = layeredDag(5, 10);
const smallGraph = dagGraph('layered-50', small, nodeRunnables(small), 1_000);
const big = layeredDag(BIG.layers, BIG.width, 'm');
const bigGraph = dagGraph('layered-big', big, nodeRunnables(big), 500);

const worker = (
  await createBatonWorker({
    address,
    namespace,
    taskQueue,
    graphs: [smallGraph, bigGraph],
    // The worker's defaults (isolateExecutionTimeout 5 s): each execution's first workflow task
    // decodes and plans the 20,000-node spec and must fit in them.
    workflowsPath: new URL(
      '../packages/workflow-temporal/test/fixtures/bench-workflows.ts',
      import.meta.url,
    ).pathname,
  })
)._unsafeUnwrap();
const running = worker.run();

const at = [withTemporalAddress(address, namespace), withWorkflowTaskQueue(taskQueue)];
const hand = createTemporalWorkflow<
  { nodes: readonly DagNode[]; input: number },
  Record<string, number>
>('handWrittenDag', ...at)._unsafeUnwrap();
const baton = createTemporalGraphWorkflow(smallGraph, ...at)._unsafeUnwrap();
const expected = expectedOutputs(small, 1);

async function runHand(): Promise<void> {
  const run = (await hand.execute({ nodes: small, input: 1 }))._unsafeUnwrap();
  sameOutputs('hand-written', (await hand.getResult(run.workflowId))._unsafeUnwrap(), expected);
}

async function runBaton(): Promise<void> {
  const run = (await baton.execute(1))._unsafeUnwrap();
  const result = (await baton.getResult(run.workflowId))._unsafeUnwrap();
  sameOutputs('baton', result.outputs, expected);
}

async function round(order: 'hand-first' | 'baton-first'): Promise<Map<string, number[]>> {
  const bench = new Bench({
    iterations: ITERATIONS,
    time: 0,
    warmupIterations: WARMUP,
    warmupTime: 0,
  });
  const tasks: [string, () => Promise<void>][] = [
    ['hand-written', runHand],
    ['baton', runBaton],
  ];
  for (const [name, fn] of order === 'hand-first' ? tasks : tasks.reverse()) bench.add(name, fn);
  await bench.run();
  const out = new Map<string, number[]>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    out.set(task.name, [result.latency.p50, result.latency.mean]);
  }
  return out;
}

try {
  console.log(`load average (1, 5, 15 min) at start: ${load()}`);
  console.log(`\n50-node layered DAG, ${ITERATIONS} runs each after ${WARMUP} warm-up runs`);
  const rows = [];
  const ratios: number[] = [];
  const orders =
    process.env['BENCH_ONLY_BIG'] === '1' ? [] : (['hand-first', 'baton-first'] as const);
  for (const order of orders) {
    const r = await round(order);
    const [hp50 = NaN, hmean = NaN] = r.get('hand-written') ?? [];
    const [bp50 = NaN, bmean = NaN] = r.get('baton') ?? [];
    ratios.push(bp50 / hp50);
    rows.push({
      round: order,
      'hand-written p50 (ms)': fmt(hp50),
      'baton p50 (ms)': fmt(bp50),
      'hand-written mean (ms)': fmt(hmean),
      'baton mean (ms)': fmt(bmean),
      'baton / hand-written (p50)': fmt(bp50 / hp50, 2),
    });
  }
  if (ratios.length > 0) {
    console.table(rows);
    const ratio = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    console.log(
      `baton / hand-written, median run time, mean of both rounds: ${fmt(ratio, 2)}x (target <= 1.1x)`,
    );
  }

  if (process.env['BENCH_ONLY_SMALL'] === '1') {
    await Promise.all([hand.close(), baton.close()]);
  } else await bigRuns();
} finally {
  (await worker.shutdown())._unsafeUnwrap();
  (await running)._unsafeUnwrap();
  await server.stop();
}

/** The 20,000-node graph on Baton, and 2,000 of its nodes hand-written. */
async function bigRuns(): Promise<void> {
  console.log(`\n${big.length}-node layered DAG (${BIG.layers} x ${BIG.width}), one run`);
  const bigWf = createTemporalGraphWorkflow(bigGraph, ...at)._unsafeUnwrap();
  const started = Date.now();
  const run = (await bigWf.execute(1))._unsafeUnwrap();
  const result = (await bigWf.getResult(run.workflowId))._unsafeUnwrap();
  const wall = Date.now() - started;
  sameOutputs('baton big', result.outputs, expectedOutputs(big, 1));
  const histories = await runHistories(address, namespace, run.workflowId, run.runId);
  console.table(
    histories.map((h, i) => ({
      execution: i + 1,
      events: h.events,
      'history (KB)': fmt(h.bytes / 1024),
      'longest workflow task (ms)': fmt(h.longestTaskMs),
      'failed workflow tasks': h.failedTasks,
    })),
  );
  console.log(`load average after the big run: ${load()}`);
  const events = histories.reduce((a, h) => a + h.events, 0);
  const bytes = histories.reduce((a, h) => a + h.bytes, 0);
  console.log(
    `wall ${fmt(wall / 1000, 1)} s, ${result.runs} executions, ${events} events (${fmt(events / big.length, 2)} per node), ${fmt(bytes / 1024 / 1024, 1)} MB of history`,
  );

  // The hand-written workflow at a size one execution can hold, for the per-node cost.
  const mid = layeredDag(20, 100, 'm');
  const handStarted = Date.now();
  const handRun = (await hand.execute({ nodes: mid, input: 1 }))._unsafeUnwrap();
  sameOutputs(
    'hand-written 2000',
    (await hand.getResult(handRun.workflowId))._unsafeUnwrap(),
    expectedOutputs(mid, 1),
  );
  const handWall = Date.now() - handStarted;
  const [handHistory] = await runHistories(address, namespace, handRun.workflowId, handRun.runId);
  console.log(
    `hand-written, first ${mid.length} nodes of the same DAG: wall ${fmt(handWall / 1000, 1)} s, ${handHistory?.events ?? 0} events, ${fmt((handHistory?.bytes ?? 0) / 1024)} KB of history`,
  );
  await Promise.all([hand.close(), baton.close(), bigWf.close()]);
}
