/**
 * Temporal's limits, handled: wide graphs keep at most `maxPendingActivities` activities pending
 * (the server refuses more than 2,000), and a run continues as new before its history grows
 * large, carrying only finished nodes' outcomes, with the same outputs as in-process.
 */
import { runnable, type Graph } from '@baton/core';
import { createGraph, withGraphMaxWorkers, withGraphName } from '@baton/graph';
import { withGraphInterpreter } from '@baton/workflow-temporal';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bundleBatonWorkflows,
  quietRuntime,
  startGraphWorker,
  type GraphWorkerHarness,
} from './graph-harness.js';

const server = inject('temporal');
/** The 5,000-wide graph takes a while: it runs under CI and with BATON_SCALE_TESTS=1. */
const scale = process.env.CI === 'true' || process.env.BATON_SCALE_TESTS === '1';

interface ContinuedAsNew {
  readonly workflowExecutionContinuedAsNewEventAttributes?: {
    readonly newExecutionRunId?: string | null;
  } | null;
}

const source = runnable('source', (n: number) => n);
const leaf = runnable('leaf', (n: number) => n + 1);
const total = runnable('total', (parts: Record<string, number>) =>
  Object.values(parts).reduce((a, b) => a + b, 0),
);
const step = runnable('step', (input: unknown) =>
  typeof input === 'number' ? input * 2 + 1 : JSON.stringify(input).length,
);

/** source -> `width` leaves -> total. */
function fanOut(width: number, maxWorkers: number): Graph<number, number> {
  const g = createGraph<number, number>(
    withGraphName(`fan-out-${width}`),
    withGraphMaxWorkers(maxWorkers),
  )._unsafeUnwrap();
  g.addNode('source', source)._unsafeUnwrap();
  g.addNode('total', total)._unsafeUnwrap();
  for (let i = 0; i < width; i++) {
    g.addNode(`leaf${i}`, leaf)._unsafeUnwrap();
    g.addEdge('source', `leaf${i}`)._unsafeUnwrap();
    g.addEdge(`leaf${i}`, 'total')._unsafeUnwrap();
  }
  return g;
}

/** `layers` layers of `width` nodes, each node depending on two of the layer before. */
function layered(layers: number, width: number): Graph<number> {
  const g = createGraph<number>(withGraphName('layered'), withGraphMaxWorkers(4))._unsafeUnwrap();
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      g.addNode(`l${l}n${i}`, step)._unsafeUnwrap();
      if (l === 0) continue;
      g.addEdge(`l${l - 1}n${i}`, `l${l}n${i}`)._unsafeUnwrap();
      g.addEdge(`l${l - 1}n${(i + 1) % width}`, `l${l}n${i}`)._unsafeUnwrap();
    }
  }
  return g;
}

describe.runIf(server !== undefined)('graphs at scale on a real Temporal dev server', () => {
  const where = server ?? { address: '', namespace: '' };
  let h: GraphWorkerHarness;
  let connection: Connection;
  let client: Client;

  /** Events of each execution of a workflow id, following continue-as-new from `runId`. */
  async function historySizes(workflowId: string, runId: string): Promise<number[]> {
    const sizes: number[] = [];
    for (let run: string | undefined = runId; run !== undefined;) {
      const history = await client.workflow.getHandle(workflowId, run).fetchHistory();
      const events: readonly ContinuedAsNew[] = history.events ?? [];
      sizes.push(events.length);
      const last: ContinuedAsNew | undefined = events.at(-1);
      run = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return sizes;
  }

  beforeAll(async () => {
    quietRuntime();
    h = await startGraphWorker(where, await bundleBatonWorkflows(), {
      activities: [source, leaf, total, step],
      workerOptions: { maxConcurrentActivityTaskExecutions: 500 },
    });
    connection = await Connection.connect({ address: where.address });
    client = new Client({ connection, namespace: where.namespace });
  });

  afterAll(async () => {
    await connection?.close();
    await h?.close();
  });

  it('runs a 1,000-wide fan-out and join', async () => {
    const wf = h.workflow(fanOut(1_000, 1_000));
    const started = performance.now();
    const run = (await wf.execute(1))._unsafeUnwrap();
    const result = (await wf.getResult(run.workflowId))._unsafeUnwrap();
    const ms = Math.round(performance.now() - started);
    expect(result.output).toBe(2_000);
    const sizes = await historySizes(run.workflowId, run.runId);
    console.info(`1,000-wide fan-out + join: ${ms} ms, history events per run ${sizes.join(', ')}`);
    expect(Object.values(result.nodes).filter((s) => s === 'succeeded')).toHaveLength(1_002);
  }, 120_000);

  it.runIf(scale)(
    'runs a 5,000-wide graph with at most 500 activities pending, continuing as new',
    async () => {
      const wf = h.workflow(
        fanOut(5_000, 5_000),
        withGraphInterpreter({ maxPendingActivities: 500 }),
      );
      const started = performance.now();
      const run = (await wf.execute(1))._unsafeUnwrap();
      let maxRunning = 0;
      const watch = setInterval(() => {
        void wf.progress(run.workflowId).map((p) => (maxRunning = Math.max(maxRunning, p.running)));
      }, 200);
      const result = await wf.getResult(run.workflowId);
      clearInterval(watch);
      const ms = Math.round(performance.now() - started);
      expect(result._unsafeUnwrap().output).toBe(10_000);
      const sizes = await historySizes(run.workflowId, run.runId);
      console.info(
        `5,000-wide: ${ms} ms, ${sizes.length} runs, history events per run ${sizes.join(', ')}`,
      );
      expect(maxRunning).toBeLessThanOrEqual(500);
      expect(Math.max(...sizes)).toBeLessThan(51_200);
      expect(result._unsafeUnwrap().runs).toBe(sizes.length);
    },
    240_000,
  );

  it('a low continue-as-new threshold crosses several runs with the same outputs', async () => {
    const graph = layered(6, 8);
    const expected = (await graph.invoke(3))._unsafeUnwrap();
    const wf = h.workflow(graph, withGraphInterpreter({ continueAsNewAfterEvents: 60 }));
    const run = (await wf.execute(3))._unsafeUnwrap();
    const result = (await wf.getResult(run.workflowId))._unsafeUnwrap();
    const sizes = await historySizes(run.workflowId, run.runId);
    expect(result.output).toEqual(expected);
    expect(result.runs).toBeGreaterThanOrEqual(3);
    expect(sizes).toHaveLength(result.runs);
    expect(Object.keys(result.outputs ?? {})).toHaveLength(48);
  }, 120_000);
});
