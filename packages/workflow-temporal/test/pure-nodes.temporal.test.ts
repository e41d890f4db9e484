/**
 * Pure nodes (`withNodePure`) run inside the interpreter workflow, with the runnables the worker
 * bundles: same outcomes as in-process, no activity for them, retries with workflow timers, and
 * a clear failure when the bundle lacks one.
 */
import { runnable, type OrchestrationError } from '@baton/core';
import {
  createGraph,
  withGraphFailFast,
  withGraphName,
  withNodePure,
  withNodeRetries,
  withNodeRetryPolicy,
  withNodeTriggerRule,
} from '@baton/graph';
import { createBatonWorker } from '@baton/workflow-temporal/worker';
import { Client, Connection } from '@temporalio/client';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  PURE_NODES_PATH,
  bundleBatonWorkflows,
  quietRuntime,
  startGraphWorker,
  type GraphWorkerHarness,
} from './graph-harness.js';
import {
  alwaysFails,
  bySize,
  double,
  flakyPure,
  mixOutput,
  mutates,
  notJson,
  refuses,
  total,
} from './workflows/pure-nodes.js';

const server = inject('temporal');

const seed = runnable('seed', (n: number) => n + 3);
const inc = runnable('inc', (n: number) => n + 1);
const listOf = runnable('listOf', (n: number) => ({ list: [n] }));
const pure = {
  double: runnable('double', double),
  total: runnable('total', total),
  flakyPure: runnable('flakyPure', flakyPure as never),
  alwaysFails: runnable('alwaysFails', alwaysFails),
  refuses: runnable('refuses', refuses),
  notJson: runnable('notJson', notJson),
  mutates: runnable('mutates', mutates),
  ghost: runnable('ghost', (n: number) => n),
};
const mix0 = runnable('mix_0', mixOutput(0));

/** seed (activity) -> twice (pure, routes) -> large (activity) | small (pure) -> join (pure). */
function mixed() {
  const g = createGraph<number>(withGraphName('pure-mixed'))._unsafeUnwrap();
  g.addNode('seed', seed)._unsafeUnwrap();
  g.addNode('twice', pure.double, withNodePure())._unsafeUnwrap();
  g.addNode('large', inc)._unsafeUnwrap();
  g.addNode('small', pure.double, withNodePure())._unsafeUnwrap();
  const join = withNodeTriggerRule('none_failed_min_one_success');
  g.addNode('join', pure.total, withNodePure(), join)._unsafeUnwrap();
  g.addEdge('seed', 'twice')._unsafeUnwrap();
  g.addConditionalEdges('twice', bySize, ['large', 'small'])._unsafeUnwrap();
  g.addEdge('large', 'join')._unsafeUnwrap();
  g.addEdge('small', 'join')._unsafeUnwrap();
  g.addEdge('seed', 'join')._unsafeUnwrap();
  return g;
}

/** Four pure sinks under one activity: a retry that succeeds and three ways to fail. */
function failing() {
  const g = createGraph<number>(
    withGraphName('pure-failing'),
    withGraphFailFast(false),
  )._unsafeUnwrap();
  const fast = withNodeRetryPolicy({ initialDelayMs: 5, maxDelayMs: 10 });
  g.addNode('seed', seed)._unsafeUnwrap();
  g.addNode('flaky', pure.flakyPure, withNodePure(), withNodeRetries(1), fast)._unsafeUnwrap();
  g.addNode('always', pure.alwaysFails, withNodePure(), withNodeRetries(2), fast)._unsafeUnwrap();
  g.addNode('refuses', pure.refuses, withNodePure(), withNodeRetries(2), fast)._unsafeUnwrap();
  g.addNode('notJson', pure.notJson, withNodePure())._unsafeUnwrap();
  for (const to of ['flaky', 'always', 'refuses', 'notJson']) g.addEdge('seed', to)._unsafeUnwrap();
  return g;
}

function copies() {
  const g = createGraph<number>(withGraphName('pure-copies'))._unsafeUnwrap();
  g.addNode('listOf', listOf)._unsafeUnwrap();
  g.addNode('mutates', pure.mutates, withNodePure())._unsafeUnwrap();
  g.addEdge('listOf', 'mutates')._unsafeUnwrap();
  return g;
}

function ghostly() {
  const g = createGraph<number>(withGraphName('pure-ghost'))._unsafeUnwrap();
  g.addNode('seed', seed)._unsafeUnwrap();
  g.addNode('haunt', pure.ghost, withNodePure())._unsafeUnwrap();
  g.addEdge('seed', 'haunt')._unsafeUnwrap();
  return g;
}

/**
 * A chain of pure nodes with 1,000-character names: its wire spec (1.6 MB) is over one local
 * activity result (SPEC_PART_BYTES), so the worker sends it in parts.
 */
function longNames() {
  const g = createGraph<number>(withGraphName('pure-long-names'))._unsafeUnwrap();
  const name = (i: number): string => `${String(i).padStart(4, '0')}${'x'.repeat(996)}`;
  for (let i = 0; i < 1_600; i++) g.addNode(name(i), mix0, withNodePure())._unsafeUnwrap();
  for (let i = 1; i < 1_600; i++) g.addEdge(name(i - 1), name(i))._unsafeUnwrap();
  return g;
}

const codes = (failures: Record<string, { code: string }>): Record<string, string> =>
  Object.fromEntries(Object.entries(failures).map(([n, e]) => [n, e.code]));

describe.runIf(server !== undefined)('pure nodes run inside the interpreter workflow', () => {
  const where = server ?? { address: '', namespace: '' };
  let h: GraphWorkerHarness;
  let connection: Connection;
  let client: Client;
  let bundle: WorkflowBundle;

  beforeAll(async () => {
    quietRuntime();
    bundle = await bundleBatonWorkflows(undefined, [PURE_NODES_PATH]);
    h = await startGraphWorker(where, bundle, {
      graphs: [mixed(), failing(), copies(), ghostly(), longNames()],
    });
    connection = await Connection.connect({ address: where.address });
    client = new Client({ connection, namespace: where.namespace });
  }, 120_000);

  afterAll(async () => {
    await connection?.close();
    await h?.close();
  });

  async function activityTypes(workflowId: string): Promise<string[]> {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).flatMap((e) => {
      const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
      return name === undefined || name === null ? [] : [name];
    });
  }

  it('gives the in-process outcomes (router, join) and schedules activities only for the other nodes', async () => {
    for (const input of [1, 10]) {
      const local = (await mixed().invoke(input))._unsafeUnwrap();
      const wf = h.workflow(mixed());
      const run = (await wf.execute(input))._unsafeUnwrap();
      const result = (await wf.getResult(run.workflowId))._unsafeUnwrap();
      expect(result.output).toEqual(local);
      const twice = (input + 3) * 2;
      const taken = twice > 10 ? 'large' : 'small';
      const skipped = twice > 10 ? 'small' : 'large';
      expect(result.nodes).toEqual({
        seed: 'succeeded',
        twice: 'succeeded',
        [taken]: 'succeeded',
        [skipped]: 'skipped',
        join: 'succeeded',
      });
      expect((await activityTypes(run.workflowId)).sort()).toEqual(
        twice > 10 ? ['inc', 'seed'] : ['seed'],
      );
    }
  });

  it('retries a pure node with workflow timers; errors keep their codes as in-process', async () => {
    const local = await failing().invoke(1);
    const localFailures = (
      local._unsafeUnwrapErr().details as { failures: Record<string, OrchestrationError> }
    ).failures;
    const wf = h.workflow(failing());
    const run = (await wf.execute(1))._unsafeUnwrap();
    const error = (await wf.getResult(run.workflowId))._unsafeUnwrapErr();
    const details = error.details as {
      failures: Record<string, { code: string }>;
      outputs: Record<string, unknown>;
    };
    expect(codes(details.failures)).toEqual({
      always: 'max_retries_exceeded',
      refuses: 'invalid_input',
      notJson: 'invalid_state',
    });
    expect(codes(localFailures)).toMatchObject({
      always: 'max_retries_exceeded',
      refuses: 'invalid_input',
    });
    expect(details.outputs).toMatchObject({ seed: 4, flaky: 5 });
    const history = await client.workflow.getHandle(run.workflowId).fetchHistory();
    const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes).length;
    expect(timers).toBe(3); // flaky once, always twice; refuses is not retryable
    expect(await activityTypes(run.workflowId)).toEqual(['seed']);
    // Pure nodes and their retry timers replay deterministically.
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle }, history, run.workflowId),
    ).resolves.toBeUndefined();
  });

  it('hands a pure node a copy of its input, so it cannot change its parent output', async () => {
    const wf = h.workflow(copies());
    const run = (await wf.execute(5))._unsafeUnwrap();
    const result = (await wf.getResult(run.workflowId))._unsafeUnwrap();
    expect(result.outputs).toEqual({ listOf: { list: [5] }, mutates: 2 });
  });

  it('fails up front with invalid_config naming a pure node whose runnable the bundle lacks', async () => {
    const wf = h.workflow(ghostly());
    const run = (await wf.execute(1))._unsafeUnwrap();
    const error = (await wf.getResult(run.workflowId))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('node "haunt" is pure');
    expect(error.message).toContain('registerPureRunnables');
    expect(await activityTypes(run.workflowId)).toEqual([]);
  });

  it('gets a spec over one local activity result from the worker in parts', async () => {
    const graph = longNames();
    const local = (await graph.invoke(3))._unsafeUnwrap();
    const wf = h.workflow(graph);
    const run = (await wf.execute(3))._unsafeUnwrap();
    const result = (await wf.getResult(run.workflowId))._unsafeUnwrap();
    expect(result.output).toEqual(local);
    expect(Object.keys(result.nodes)).toHaveLength(1_600);
    const history = await client.workflow.getHandle(run.workflowId).fetchHistory();
    const events = history.events ?? [];
    expect(events.filter((e) => e.markerRecordedEventAttributes)).toHaveLength(2);
    expect(events.filter((e) => e.timerStartedEventAttributes)).toHaveLength(1);
  }, 60_000);

  it('createBatonWorker({ pureRunnablesPath }) bundles the module with the default workflows', async () => {
    const own = await startGraphWorker(where, undefined as never, {
      graphs: [mixed()],
      pureRunnablesPath: PURE_NODES_PATH,
    });
    try {
      const wf = own.workflow(mixed());
      const run = (await wf.execute(10))._unsafeUnwrap();
      const local = (await mixed().invoke(10))._unsafeUnwrap();
      expect((await wf.getResult(run.workflowId))._unsafeUnwrap().output).toEqual(local);
    } finally {
      await own.close();
    }
  }, 120_000);

  it('createBatonWorker refuses a graph whose pure node the module does not register', async () => {
    const error = (
      await createBatonWorker({
        address: where.address,
        namespace: where.namespace,
        graphs: [ghostly()],
        pureRunnablesPath: PURE_NODES_PATH,
      })
    )._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('pure-ghost.haunt');
    expect(error.message).toContain('pure runnable "ghost"');
  });
});
