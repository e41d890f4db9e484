import { registerChainProvider, withChainName, withChainProvider } from '@baton/chain';
import {
  OrchestrationError,
  runnable,
  type ChainProvider,
  type GraphProvider,
  type HealthReport,
  type Logger,
  withMeterProvider,
} from '@baton/core';
import { withGraphProvider } from '@baton/graph';
import { createOtelTestKit } from '@baton/test-support';
import { createInMemoryCheckpointStore } from '@baton/memory';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  createOrchestrator,
  withCheckpointStore,
  withFeatures,
  withGraphMaxWorkers,
  withHealthCheckInterval,
  withLogger,
  withMetricsPrefix,
  withShutdownTimeout,
  type Orchestrator,
} from './index.js';

const make = (...options: Parameters<typeof createOrchestrator>): Orchestrator =>
  createOrchestrator(...options)._unsafeUnwrap();

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A step that waits for `gate` (or its signal) and reports when it started. */
function gatedStep(gate: Promise<void>, started?: () => void) {
  return runnable('gated', async (x: number, ctx) => {
    started?.();
    await new Promise<void>((resolve, reject) => {
      void gate.then(resolve);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), {
        once: true,
      });
    });
    return x + 1;
  });
}

describe('createOrchestrator options', () => {
  it('fails with invalid_config naming the option', () => {
    const bad = createOrchestrator(withGraphMaxWorkers(0));
    expect(bad._unsafeUnwrapErr().code).toBe('invalid_config');
    expect(bad._unsafeUnwrapErr().message).toContain('withGraphMaxWorkers');
    const features = createOrchestrator(withFeatures({ chains: 'yes' as unknown as boolean }));
    expect(features._unsafeUnwrapErr().message).toContain('withFeatures');
    const interval = createOrchestrator(withHealthCheckInterval(-5));
    expect(interval._unsafeUnwrapErr().message).toContain('withHealthCheckInterval');
  });

  it('refuses a disabled feature with invalid_state saying how to enable it', () => {
    const o = make(withFeatures({ chains: false, workflows: false }));
    const chain = o.createChain([(x: number) => x]);
    expect(chain._unsafeUnwrapErr().code).toBe('invalid_state');
    expect(chain._unsafeUnwrapErr().message).toContain('withFeatures({ chains: true })');
    expect(o.createWorkflow('wf')._unsafeUnwrapErr().message).toContain(
      'withFeatures({ workflows: true })',
    );
    expect(o.createGraph().isOk()).toBe(true);
  });
});

describe('per-orchestrator registries', () => {
  const recording = (seen: string[], tag: string): ChainProvider => ({
    createChain: (steps, config) => {
      seen.push(`${tag}:${config.name}`);
      return make().createChain(steps as never, withChainName(config.name));
    },
  });

  it('keeps providers to the orchestrator that registered them', () => {
    const seen: string[] = [];
    const a = make();
    const b = make();
    expect(a.registerChainProvider('rec', recording(seen, 'a')).isOk()).toBe(true);
    expect(
      a.createChain([(x: number) => x], withChainProvider('rec'), withChainName('c')).isOk(),
    ).toBe(true);
    expect(seen).toEqual(['a:c']);
    const missing = b.createChain([(x: number) => x], withChainProvider('rec'));
    expect(missing._unsafeUnwrapErr().code).toBe('not_found');
    // the default registry does not see it either, and another orchestrator can use the name
    expect(registerChainProvider('rec', recording(seen, 'default')).isOk()).toBe(true);
    expect(b.registerChainProvider('rec', recording(seen, 'b')).isOk()).toBe(true);
    b.createChain([(x: number) => x], withChainProvider('rec'), withChainName('d'));
    expect(seen).toEqual(['a:c', 'b:d']);
  });

  it('builds graphs (and the typed builder) with its own graph providers', async () => {
    const o = make();
    const names: string[] = [];
    const provider: GraphProvider = {
      createGraph: (config) => {
        names.push(config.name);
        return make().createGraph() as never;
      },
    };
    expect(o.registerGraphProvider('mine', provider).isOk()).toBe(true);
    const graph = o
      .createGraphBuilder()
      .node(runnable('inc', (x: number) => x + 1))
      .node(runnable('double', (x: number) => x * 2))
      .edge('inc', 'double')
      .build(withGraphProvider('mine'));
    expect(names).toEqual(['graph']);
    expect(await graph._unsafeUnwrap().invoke(3)).toEqual(expect.objectContaining({ value: 8 }));
    expect(o.getMetrics().totalExecutions).toBe(1);
    expect(make().createGraph(withGraphProvider('mine'))._unsafeUnwrapErr().code).toBe('not_found');
  });

  it('registers actions once per name and only on itself', () => {
    const a = make();
    expect(a.registerAction('shout', (p) => String(p['text']).toUpperCase()).isOk()).toBe(true);
    expect(a.registerAction('shout', (p) => p)._unsafeUnwrapErr().code).toBe('invalid_config');
    expect(a.registerAction('bad name!', (p) => p)._unsafeUnwrapErr().message).toContain(
      'action name',
    );
    expect(a.registerAction('x', 42 as never)._unsafeUnwrapErr().message).toContain(
      'Runnable or a function',
    );
    expect(a.actions.get('shout')).toBeDefined();
    expect(make().actions.get('shout')).toBeUndefined();
    expect(make().actions.names()).toEqual([
      'chat',
      'generate_text',
      'http',
      'map',
      'read_file',
      'shell',
      'template',
      'write_file',
    ]);
  });
});

describe('getMetrics', () => {
  it('counts invoke, stream, batch and start runs, and brings active back down', async () => {
    const o = make();
    const gate = deferred();
    const chain = o.createChain([gatedStep(gate.promise)])._unsafeUnwrap();
    const graph = o.createGraphBuilder().node(gatedStep(gate.promise)).build()._unsafeUnwrap();
    const runs = [
      chain.invoke(1),
      lastValueFrom(chain.stream(1).pipe(toArray())),
      chain.batch([1, 2, 3]),
      graph.invoke(1),
      graph.start(1)._unsafeUnwrap().result,
    ];
    await new Promise((r) => setTimeout(r, 10));
    expect(o.getMetrics()).toEqual({
      activeChains: 5,
      activeGraphs: 2,
      activeWorkflows: 0,
      totalExecutions: 7,
      errorCount: 0,
    });
    gate.resolve();
    await Promise.all(runs);
    expect(o.getMetrics()).toEqual({
      activeChains: 0,
      activeGraphs: 0,
      activeWorkflows: 0,
      totalExecutions: 7,
      errorCount: 0,
    });
  });

  it('counts failures, including canceled runs', async () => {
    const o = make();
    const failing = o
      .createChain([
        runnable('boom', (_: number) => {
          throw new OrchestrationError('execution_failed', 'boom');
        }),
      ])
      ._unsafeUnwrap();
    expect((await failing.invoke(1)).isErr()).toBe(true);
    const controller = new AbortController();
    const slow = o.createChain([gatedStep(new Promise(() => undefined))])._unsafeUnwrap();
    const run = slow.invoke(1, { signal: controller.signal });
    controller.abort();
    expect((await run)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(o.getMetrics()).toMatchObject({ activeChains: 0, totalExecutions: 2, errorCount: 2 });
  });
});

describe('runStats', () => {
  it('keeps count, errors and durations of the chains, graphs, nodes and pipelines it created', async () => {
    const o = make();
    const chain = o
      .createChain([runnable('double', (x: number) => x * 2)], withChainName('doubler'))
      ._unsafeUnwrap();
    await chain.invoke(1);
    await chain.invoke(2);
    const graph = o
      .createGraphBuilder()
      .node(
        runnable('check', (x: number) => {
          if (x < 0) throw new OrchestrationError('invalid_input', 'negative');
          return x;
        }),
      )
      .build()
      ._unsafeUnwrap();
    await graph.invoke(1);
    expect((await graph.invoke(-1)).isErr()).toBe(true);
    const pipeline = await o.runPipeline(
      {
        text: 'id: tiny\ntasks:\n  - id: greet\n    action: template\n    parameters: { template: "hi {who}" }\n',
      },
      { who: 'Ada' },
    );
    expect(pipeline._unsafeUnwrap().output).toEqual({ greet: 'hi Ada' });

    const summary = o.runStats.summary();
    expect(summary.chains['doubler']).toMatchObject({ count: 2, errors: 0, errorRate: 0 });
    expect(summary.chains['doubler']?.durationMs?.p50).toBeGreaterThanOrEqual(0);
    const graphStats = summary.graphs[graph.name];
    expect(graphStats).toMatchObject({ count: 2, errors: 1, errorRate: 0.5 });
    expect(graphStats?.nodes['check']).toMatchObject({ count: 2, errors: 1 });
    expect(summary.graphs['tiny']?.nodes['greet']).toMatchObject({ count: 1, errors: 0 });
  });
});

describe('telemetry', () => {
  it('records OpenTelemetry metrics of what it created under its prefix', async () => {
    const kit = createOtelTestKit();
    const o = make(withMetricsPrefix('shop.jobs'), withMeterProvider(kit.meterProvider));
    const chain = o.createChain([(x: number) => x + 1])._unsafeUnwrap();
    const graph = o
      .createGraphBuilder()
      .node(runnable('n', (x: number) => x))
      .build()
      ._unsafeUnwrap();
    await chain.invoke(1);
    await graph.invoke(1);
    const points = await kit.points('shop.jobs.executions');
    const kinds = points.map((p) => p.attributes['kind']);
    expect(kinds).toEqual(expect.arrayContaining(['chain', 'graph']));
    expect(await kit.points('baton.orchestration.executions')).toEqual([]);
  });

  it('logs shutdown through its logger', async () => {
    const lines: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: (message) => lines.push(`info ${message}`),
      warn: (message) => lines.push(`warn ${message}`),
      error: (message) => lines.push(`error ${message}`),
    };
    const o = make(withLogger(logger), withShutdownTimeout(10));
    const chain = o.createChain([gatedStep(new Promise(() => undefined))])._unsafeUnwrap();
    const run = chain.invoke(1);
    await o.shutdown();
    await run;
    expect(lines).toEqual([
      'info orchestrator shutting down',
      'warn orchestrator shutdown: canceling runs still going',
      'info orchestrator shut down',
    ]);
  });
});

describe('check and health$', () => {
  it('aggregates the checkpoint store, the models and what it created, without running anything', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const o = make(withCheckpointStore(store));
    let calls = 0;
    o.createChain([runnable('count', () => ++calls)])._unsafeUnwrap();
    const report = await o.check();
    expect(report.status).toBe('healthy');
    const components = report.checks.map((c) => c.component);
    expect(components).toEqual(expect.arrayContaining(['checkpoint-store', 'models']));
    expect(components.some((c) => c.startsWith('chain'))).toBe(true);
    expect(calls).toBe(0);
    expect(o.getMetrics().totalExecutions).toBe(0);
  });

  it('reports a failing part', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const broken = Object.assign(Object.create(store) as typeof store, {
      check: () => Promise.reject(new Error('disk gone')),
    });
    const report = await make(withCheckpointStore(broken)).check();
    expect(report.status).toBe('unhealthy');
  });

  it('emits at the configured interval and completes on shutdown', async () => {
    const o = make(withHealthCheckInterval(20));
    const seen: HealthReport[] = [];
    let completed = false;
    const arrivals: number[] = [];
    const subscribed = Date.now();
    o.health$.subscribe({
      next: (r) => {
        seen.push(r);
        arrivals.push(Date.now() - subscribed);
      },
      complete: () => (completed = true),
    });
    const deadline = Date.now() + 5_000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(seen.length).toBeGreaterThanOrEqual(3);
    // the first at once, then one per interval: the n-th never before n intervals passed
    arrivals.forEach((at, n) => expect(at).toBeGreaterThanOrEqual(n * 20 - 1));
    expect(seen.every((r) => r.component === 'orchestrator')).toBe(true);
    await o.shutdown();
    expect(completed).toBe(true);
    const after = seen.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.length).toBe(after);
    // a subscription after shutdown completes at once
    expect(await firstValueFrom(o.health$, { defaultValue: 'none' })).toBe('none');
  });
});

describe('shutdown', () => {
  it('refuses new runs, waits for running ones, and is idempotent', async () => {
    const o = make();
    const gate = deferred();
    const chain = o.createChain([gatedStep(gate.promise)])._unsafeUnwrap();
    const running = chain.invoke(1);
    await new Promise((r) => setTimeout(r, 5));
    const first = o.shutdown();
    expect(o.shutdown()).toBe(first);
    const refused = await chain.invoke(1);
    expect(refused._unsafeUnwrapErr().code).toBe('invalid_state');
    expect(refused._unsafeUnwrapErr().message).toContain('shut down');
    expect(o.createGraph()._unsafeUnwrapErr().code).toBe('invalid_state');
    gate.resolve();
    expect((await running)._unsafeUnwrap()).toBe(2);
    await first;
    expect(o.getMetrics()).toMatchObject({ activeChains: 0, totalExecutions: 1, errorCount: 0 });
    expect((await o.check()).status).toBe('unhealthy');
  });

  it('cancels runs still going at the deadline', async () => {
    const o = make(withShutdownTimeout(30));
    let started = 0;
    const graph = o
      .createGraphBuilder()
      .node(gatedStep(new Promise(() => undefined), () => started++))
      .build()
      ._unsafeUnwrap();
    const handle = graph.start(1)._unsafeUnwrap();
    const invoked = graph.invoke(2);
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toBe(2);
    await o.shutdown();
    expect((await handle.result)._unsafeUnwrapErr().code).toBe('task_canceled');
    const error = (await invoked)._unsafeUnwrapErr();
    expect(error.code).toBe('task_canceled');
    expect(o.getMetrics()).toMatchObject({ activeGraphs: 0, errorCount: 2 });
  });
});
