import { OrchestrationError, runnable, type GraphSpec, type Runnable } from '@baton/core';
import {
  createGraph,
  graphBindings,
  withGraphFailFast,
  withGraphMaxWorkers,
  withGraphName,
  withNodeCache,
  withNodeRetries,
  withNodeRetryPolicy,
  withNodeTriggerRule,
} from '@baton/graph';
import {
  GRAPH_SIGNALS,
  createTemporalGraphWorkflow,
  withGraphInterpreter,
} from '@baton/workflow-temporal';
import { createBatonWorker } from '@baton/workflow-temporal/worker';
import type { WorkflowBundle } from '@temporalio/worker';
import { err, ok } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bundleBatonWorkflows,
  quietRuntime,
  startGraphWorker,
  type GraphWorkerHarness,
} from './graph-harness.js';

const server = inject('temporal');

const seen = { flaky: 0, slowStarted: 0, slowAborted: 0 };

const fetchText = runnable('fetchText', (url: string) => `text of ${url}`);
const upper = runnable('upper', (text: string) => text.toUpperCase());
const count = runnable('count', (text: string) => text.length);
const join = runnable(
  'join',
  (parts: { upper: string; count: number }) => `${parts.upper}:${parts.count}`,
);
const flaky = runnable('flaky', (text: string) => {
  seen.flaky += 1;
  return seen.flaky < 2 ? err(new OrchestrationError('execution_failed', 'try again')) : ok(text);
});
const broken = runnable('broken', () => err(new OrchestrationError('invalid_input', 'bad data')));
const big = runnable('big', (n: number) => 'x'.repeat(n));
const slow = runnable('slow', async (_: unknown, ctx) => {
  seen.slowStarted += 1;
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
  seen.slowAborted += 1;
  return 'stopped';
});
const classify = runnable('classify', (text: string) => (text.length > 10 ? 'long' : 'short'));
const long = runnable('long', (label: string) => `${label}!`);
const short = runnable('short', (label: string) => `${label}?`);
function byLabel(label: string): string {
  return label;
}

/** fetch -> (upper, count) -> join */
function diamond() {
  return createGraph<string, string>(withGraphName('diamond'))
    .andThen((g) =>
      g
        .addNode('fetch', fetchText)
        .andThen(() => g.addNode('upper', upper))
        .andThen(() => g.addNode('count', count))
        .andThen(() => g.addNode('join', join))
        .andThen(() => g.addEdge('fetch', 'upper'))
        .andThen(() => g.addEdge('fetch', 'count'))
        .andThen(() => g.addEdge('upper', 'join'))
        .andThen(() => g.addEdge('count', 'join'))
        .map(() => g),
    )
    ._unsafeUnwrap();
}

/** classify routes to long or short; the join after the router takes whichever ran. */
function routed() {
  const g = createGraph<string>(withGraphName('routed'))._unsafeUnwrap();
  g.addNode('classify', classify)._unsafeUnwrap();
  g.addNode('long', long)._unsafeUnwrap();
  g.addNode('short', short)._unsafeUnwrap();
  g.addNode(
    'done',
    runnable('done', (x: unknown) => x),
    withNodeTriggerRule('none_failed_min_one_success'),
  )._unsafeUnwrap();
  g.addConditionalEdges('classify', byLabel, ['long', 'short'])._unsafeUnwrap();
  g.addEdge('long', 'done')._unsafeUnwrap();
  g.addEdge('short', 'done')._unsafeUnwrap();
  return g;
}

/** A failure absorbed by an optional edge, and a retried node. */
function absorbing() {
  const g = createGraph<string>(
    withGraphName('absorbing'),
    withGraphFailFast(false),
  )._unsafeUnwrap();
  g.addNode('fetch', fetchText)._unsafeUnwrap();
  g.addNode('broken', broken)._unsafeUnwrap();
  g.addNode(
    'flaky',
    flaky,
    withNodeRetries(2),
    withNodeRetryPolicy({ initialDelayMs: 10 }),
  )._unsafeUnwrap();
  g.addNode(
    'end',
    runnable('end', (x: unknown) => x),
  )._unsafeUnwrap();
  g.addEdge('fetch', 'broken')._unsafeUnwrap();
  g.addEdge('fetch', 'flaky')._unsafeUnwrap();
  g.addEdge('broken', 'end', { required: false })._unsafeUnwrap();
  g.addEdge('flaky', 'end')._unsafeUnwrap();
  return g;
}

function single(name: string, r: Runnable<never>) {
  const g = createGraph(withGraphName(name))._unsafeUnwrap();
  g.addNode(name, r)._unsafeUnwrap();
  return g;
}

/** Starts the one-node `slow` graph and waits until its runnable runs. */
async function startSlow(h: GraphWorkerHarness) {
  seen.slowStarted = 0;
  seen.slowAborted = 0;
  const wf = h.workflow(single('slow', slow));
  const run = (await wf.execute(undefined))._unsafeUnwrap();
  for (let i = 0; i < 200 && seen.slowStarted === 0; i++)
    await new Promise((r) => setTimeout(r, 25));
  return { wf, run };
}

describe.runIf(server !== undefined)('a graph on a real Temporal dev server', () => {
  const where = server ?? { address: '', namespace: '' };
  let bundle: WorkflowBundle;
  let h: GraphWorkerHarness;

  beforeAll(async () => {
    quietRuntime();
    bundle = await bundleBatonWorkflows();
    h = await startGraphWorker(where, bundle, {
      graphs: [diamond(), routed(), absorbing(), single('big', big), single('slow', slow)],
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('runs a fan-out and join: each node an activity, the same output as in-process', async () => {
    const graph = diamond();
    const wf = h.workflow(graph);
    const run = (await wf.execute('a.io'))._unsafeUnwrap();
    const result = (await wf.getResult(run.workflowId))._unsafeUnwrap();
    expect(result.output).toBe('TEXT OF A.IO:12');
    expect(result.output).toBe((await graph.invoke('a.io'))._unsafeUnwrap());
    expect(result.nodes).toEqual({
      fetch: 'succeeded',
      upper: 'succeeded',
      count: 'succeeded',
      join: 'succeeded',
    });
    expect(result.outputs).toEqual({
      fetch: 'text of a.io',
      upper: 'TEXT OF A.IO',
      count: 12,
      join: 'TEXT OF A.IO:12',
    });
    expect(result.failures).toEqual({});
    expect(result.runs).toBe(1);
    const events = (await wf.events(run.workflowId))._unsafeUnwrap();
    expect(
      events
        .filter((e) => e.type === 'step-end')
        .map((e) => e.step)
        .sort(),
    ).toEqual(['count', 'fetch', 'join', 'upper']);
    expect((await wf.progress(run.workflowId))._unsafeUnwrap()).toMatchObject({
      total: 4,
      succeeded: 4,
      pending: 0,
      running: 0,
    });
  });

  it('routes with the registered router: picked branch runs, the other is skipped', async () => {
    const wf = h.workflow(routed());
    const long = (await wf.execute('a rather long text'))._unsafeUnwrap();
    const short = (await wf.execute('tiny'))._unsafeUnwrap();
    const a = (await wf.getResult(long.workflowId))._unsafeUnwrap();
    const b = (await wf.getResult(short.workflowId))._unsafeUnwrap();
    expect(a.output).toEqual({ long: 'long!' });
    expect(a.nodes).toMatchObject({ long: 'succeeded', short: 'skipped', done: 'succeeded' });
    expect(b.output).toEqual({ short: 'short?' });
    expect(b.nodes).toMatchObject({ long: 'skipped', short: 'succeeded' });
  });

  it("retries with Temporal's retry policy and reports the failures an optional edge absorbed", async () => {
    seen.flaky = 0;
    const wf = h.workflow(absorbing());
    const run = (await wf.execute('x'))._unsafeUnwrap();
    const result = (await wf.getResult(run.workflowId))._unsafeUnwrap();
    expect(result.output).toEqual({ flaky: 'text of x' });
    expect(seen.flaky).toBe(2);
    expect(result.nodes).toMatchObject({ broken: 'failed', flaky: 'succeeded', end: 'succeeded' });
    expect(result.failures.broken).toBeInstanceOf(OrchestrationError);
    expect(result.failures.broken).toMatchObject({ code: 'invalid_input', message: 'bad data' });
  });

  it('fails a node whose output is over the payload limit, naming the node', async () => {
    const wf = h.workflow(single('big', big), withGraphInterpreter({ maxPayloadBytes: 1_000 }));
    const run = (await wf.execute(5_000))._unsafeUnwrap();
    const error = (await wf.getResult(run.workflowId))._unsafeUnwrapErr();
    expect(error.code).toBe('resource_exhausted');
    expect(error.message).toMatch(
      /node "big" returned \d+ bytes of JSON, over maxPayloadBytes \(1000/,
    );
    const fine = (await wf.execute(10))._unsafeUnwrap();
    expect((await wf.getResult(fine.workflowId))._unsafeUnwrap().output).toBe('x'.repeat(10));
  });

  it('the cancel signal reaches the running activity through its AbortSignal', async () => {
    const { wf, run } = await startSlow(h);
    expect((await wf.progress(run.workflowId))._unsafeUnwrap()).toMatchObject({
      running: 1,
      status: 'running',
    });
    expect(await wf.signal(run.workflowId, undefined, GRAPH_SIGNALS.cancel, 'user asked')).toEqual(
      ok(undefined),
    );
    const error = (await wf.getResult(run.workflowId))._unsafeUnwrapErr();
    expect(error).toMatchObject({ code: 'task_canceled' });
    expect(error.message).toMatch(/canceled \(user asked\)/);
    expect(seen.slowAborted).toBe(1);
  });

  it('pause holds new nodes back; resume lets them run', async () => {
    const wf = h.workflow(diamond());
    const run = (await wf.execute('p.io'))._unsafeUnwrap();
    (await wf.pause(run.workflowId))._unsafeUnwrap();
    const paused = (await wf.progress(run.workflowId))._unsafeUnwrap();
    expect(paused.status).toBe('paused');
    (await wf.resume(run.workflowId))._unsafeUnwrap();
    expect((await wf.getResult(run.workflowId))._unsafeUnwrap().output).toBe('TEXT OF P.IO:12');
  });

  it('Temporal cancel of the execution cancels running nodes too', async () => {
    const { wf, run } = await startSlow(h);
    (await wf.cancel(run.workflowId))._unsafeUnwrap();
    expect((await wf.getResult(run.workflowId))._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(seen.slowAborted).toBe(1);
  });

  it('refuses what the interpreter does not run, up front, naming the feature', () => {
    const refused = (...args: Parameters<typeof createTemporalGraphWorkflow>): string =>
      createTemporalGraphWorkflow(...args)._unsafeUnwrapErr().message;
    const g = createGraph(withGraphName('cached'))._unsafeUnwrap();
    g.addNode('fetch', fetchText, withNodeCache({}))._unsafeUnwrap();
    expect(refused(g)).toMatch(/not supported on Temporal: node "fetch" caches its output/);
    const spec = diamond().toSpec()._unsafeUnwrap();
    const mapNode = {
      ...spec,
      nodes: spec.nodes.map((n, i) => (i === 0 ? { ...n, kind: 'map' as const } : n)),
    };
    expect(refused(mapNode)).toMatch(
      /not supported on Temporal: node "fetch" has "kind" \(a map node\)/,
    );
    expect(refused({ ...spec, interrupts: ['join'] } as GraphSpec)).toMatch(
      /spec field "interrupts"/,
    );
    expect(refused(spec, withGraphInterpreter({ maxPendingActivities: 5_000 }))).toMatch(
      /at most 2000/,
    );
    expect(refused({ ...spec, fingerprint: '0000000000000000' })).toMatch(/fingerprint/);
  });

  it('a worker refuses a node call for a graph version it does not serve', async () => {
    const other = createGraph<string, string>(
      withGraphName('diamond'),
      withGraphMaxWorkers(2),
    )._unsafeUnwrap();
    other.addNode('fetch', fetchText)._unsafeUnwrap();
    other.addNode('upper', upper)._unsafeUnwrap();
    other.addEdge('fetch', 'upper')._unsafeUnwrap();
    const wf = h.workflow(other);
    const run = (await wf.execute('v2'))._unsafeUnwrap();
    const error = (await wf.getResult(run.workflowId))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_state');
    expect(error.message).toMatch(/this worker serves graph fingerprints .* not [0-9a-f]{16}/);
  });

  it('createBatonWorker rejects two different runnables under one name', async () => {
    const g = single(
      'fetchText',
      runnable('fetchText', () => 'other'),
    );
    const created = await createBatonWorker({ address: where.address, graphs: [diamond(), g] });
    expect(created._unsafeUnwrapErr()).toMatchObject({ code: 'invalid_config' });
    expect(created._unsafeUnwrapErr().message).toMatch(
      /two different runnables are named "fetchText"/,
    );
    expect(graphBindings({})._unsafeUnwrapErr().code).toBe('invalid_config');
  });
});
