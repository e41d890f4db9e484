/** Review tests: edge cases a user hits, each pinned down after a review of the graph. */
import {
  OrchestrationError,
  runnable,
  sequence,
  type NodeCheckpoint,
  type Runnable,
} from '@baton/core';
import { errAsync, ResultAsync, type Result } from 'neverthrow';
import { trackTimers, type TimerTracker } from '@baton/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createGraph,
  withGraphCheckpointer,
  withGraphFailFast,
  withGraphMaxWorkers,
  withGraphTimeout,
  withNodeRetries,
  withNodeRetryPolicy,
  withNodeTimeout,
} from '../src/index.js';
import { collect, deferred, graphOf, RecordingStore, summary, tick } from './support.js';

let timers: TimerTracker;
beforeEach(() => {
  timers = trackTimers();
});
afterEach(() => {
  timers.restore();
});

/** Waits (a few ms at a time, at most 5 s) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await sleep(5);
  expect(condition()).toBe(true);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('review: cancellation', () => {
  it('cancels a node during its retry backoff at once and frees its worker', async () => {
    let calls = 0;
    const g = graphOf<number, number>(
      {
        a: [
          () => {
            calls++;
            throw new OrchestrationError('timeout', 'flaky');
          },
          withNodeRetries(3),
          withNodeRetryPolicy({ initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 }),
        ],
      },
      [],
      withGraphMaxWorkers(1),
    );
    const controller = new AbortController();
    const run = g.invoke(1, { signal: controller.signal });
    await until(() => timers.pending(60_000) === 1);
    expect(calls).toBe(1);
    controller.abort();
    const r = await run;
    expect(r._unsafeUnwrapErr().code).toBe('task_canceled');
    await tick();
    expect(calls).toBe(1);
    expect(timers.pending()).toBe(0);
    const again = graphOf<number, number>({ x: (x: number) => x + 1 }, [], withGraphMaxWorkers(1));
    expect((await again.invoke(1))._unsafeUnwrap()).toBe(2);
  });

  it('never starts queued nodes after a cancel, and the graph runs again afterwards', async () => {
    const started: string[] = [];
    const gate = deferred();
    const node = (name: string) =>
      runnable(name, async (x: number, ctx) => {
        started.push(name);
        if (name === 'a' && x === 1)
          await new Promise((_, rej) => ctx.signal.addEventListener('abort', rej));
        await gate.promise;
        return x;
      });
    const g = createGraph<number>(withGraphMaxWorkers(1))._unsafeUnwrap();
    for (const n of ['a', 'b', 'c']) g.addNode(n, node(n))._unsafeUnwrap();
    const controller = new AbortController();
    const run = g.invoke(1, { signal: controller.signal });
    await sleep(10);
    controller.abort();
    expect((await run)._unsafeUnwrapErr().code).toBe('task_canceled');
    await sleep(10);
    expect(started).toEqual(['a']);
    gate.resolve();
    started.length = 0;
    expect((await g.invoke(2))._unsafeUnwrap()).toEqual({ a: 2, b: 2, c: 2 });
  });

  it('cancel() of a paused handle ends it as canceled', async () => {
    const gate = deferred();
    const g = graphOf<number, number>(
      { a: async (x: number) => (await gate.promise, x), b: (x: number) => x + 1 },
      [['a', 'b']],
    );
    const handle = g.start(1)._unsafeUnwrap();
    await tick();
    handle.pause();
    gate.resolve();
    await sleep(5);
    expect(handle.status()).toBe('paused');
    expect(handle.progress()).toMatchObject({ succeeded: 1, pending: 1, running: 0 });
    handle.cancel('stop');
    expect((await handle.result)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(handle.status()).toBe('canceled');
  });
});

describe('review: re-entrancy', () => {
  it('keeps many concurrent runs of one graph apart with few workers', async () => {
    const g = graphOf<number, Record<string, number>>(
      {
        a: async (x: number) => (await sleep(x % 3), x),
        b: async (x: number) => (await sleep((x * 7) % 4), x * 2),
        c: (p: { a: number; b: number }) => p.a + p.b,
        d: (x: number) => x - 1,
      },
      [
        ['a', 'c'],
        ['b', 'c'],
        ['a', 'd'],
      ],
      withGraphMaxWorkers(2),
    );
    const inputs = Array.from({ length: 40 }, (_, i) => i);
    const results = await Promise.all(inputs.map((i) => g.invoke(i)));
    results.forEach((r, i) => expect(r._unsafeUnwrap()).toEqual({ c: 3 * i, d: i - 1 }));
    const batch = await g.batch(inputs, { maxConcurrency: 7 });
    expect(batch._unsafeUnwrap()).toEqual(inputs.map((i) => ({ c: 3 * i, d: i - 1 })));
  });
});

describe('review: routers and optional edges', () => {
  it('a skipped optional parent leaves its child running without that input', async () => {
    const g = createGraph<number>()._unsafeUnwrap();
    g.addNode(
      'r',
      runnable('r', (x: number) => x),
    )._unsafeUnwrap();
    g.addNode(
      'yes',
      runnable('yes', (x: number) => x + 1),
    )._unsafeUnwrap();
    g.addNode(
      'no',
      runnable('no', (x: number) => x - 1),
    )._unsafeUnwrap();
    g.addNode(
      'join',
      runnable('join', (p: unknown) => p),
    )._unsafeUnwrap();
    g.addConditionalEdges('r', async () => 'yes', ['yes', 'no'])._unsafeUnwrap();
    g.addEdge('yes', 'join', { required: false })._unsafeUnwrap();
    g.addEdge('no', 'join', { required: false })._unsafeUnwrap();
    expect((await g.invoke(1))._unsafeUnwrap()).toEqual({ yes: 2 });
  });

  it('an async router picking an unknown target fails the run with invalid_state, also without fail fast', async () => {
    for (const failFast of [true, false]) {
      const g = createGraph<number>(withGraphFailFast(failFast))._unsafeUnwrap();
      g.addNode(
        'r',
        runnable('r', (x: number) => x),
      )._unsafeUnwrap();
      g.addNode(
        't',
        runnable('t', (x: number) => x),
      )._unsafeUnwrap();
      g.addNode(
        'side',
        runnable('side', (x: number) => x),
      )._unsafeUnwrap();
      g.addConditionalEdges('r', () => Promise.resolve('nope'), ['t'])._unsafeUnwrap();
      const e = (await g.invoke(1))._unsafeUnwrapErr();
      expect(e.code).toBe('invalid_state');
      expect(e.message).toContain('nope');
      if (!failFast) expect(e.details.outputs).toEqual({ side: 1 });
    }
  });

  it('a router that rejects fails its node and its targets', async () => {
    const g = createGraph<number>(withGraphFailFast(false))._unsafeUnwrap();
    g.addNode(
      'r',
      runnable('r', (x: number) => x),
    )._unsafeUnwrap();
    g.addNode(
      't',
      runnable('t', (x: number) => x),
    )._unsafeUnwrap();
    g.addConditionalEdges('r', () => Promise.reject(new Error('boom')), ['t'])._unsafeUnwrap();
    const e = (await g.invoke(1))._unsafeUnwrapErr();
    expect(e.message).toContain('boom');
    const failures = e.details.failures as Record<string, OrchestrationError>;
    expect(failures.t?.code).toBe('dependency_failed');
  });
});

describe('review: bad structure input', () => {
  it('returns typed errors instead of throwing', () => {
    const g = createGraph()._unsafeUnwrap();
    const r = runnable('a', (x: unknown) => x);
    expect(g.addNode('', r)._unsafeUnwrapErr().code).toBe('invalid_config');
    expect(g.addNode('  ', r)._unsafeUnwrapErr().code).toBe('invalid_config');
    expect(g.addNode('a', null as unknown as Runnable)._unsafeUnwrapErr().code).toBe(
      'invalid_config',
    );
    expect(g.addNode('a', r, 42 as never)._unsafeUnwrapErr().code).toBe('invalid_config');
    expect(
      g
        .addNode('a', r, () => {
          throw new Error('bad option');
        })
        ._unsafeUnwrapErr().code,
    ).toBe('invalid_config');
    g.addNode('a', r)._unsafeUnwrap();
    g.addNode('b', r)._unsafeUnwrap();
    expect(g.addConditionalEdges('a', 'b' as never, ['b'])._unsafeUnwrapErr().code).toBe(
      'invalid_config',
    );
    expect(g.addConditionalEdges('a', () => 'b', 'b' as never)._unsafeUnwrapErr().code).toBe(
      'invalid_config',
    );
    expect(g.addConditionalEdges('a', () => 'b', [5] as never)._unsafeUnwrapErr().code).toBe(
      'not_found',
    );
    expect(g.addEdge('a', 'b', null as never)._unsafeUnwrapErr().code).toBe('invalid_config');
    expect(g.addEdge('a', 'b', { required: 'no' } as never)._unsafeUnwrapErr().code).toBe(
      'invalid_config',
    );
    expect(g.setEntryPoint([])._unsafeUnwrapErr().code).toBe('invalid_config');
    expect(g.setFinishPoint('')._unsafeUnwrapErr().code).toBe('not_found');
  });
});

describe('review: nesting', () => {
  it('a graph inside a sequence inside a graph streams its node events in order', async () => {
    const inner = graphOf<number, number>({ i1: (x: number) => x + 1, i2: (x: number) => x * 10 }, [
      ['i1', 'i2'],
    ]);
    const seq = sequence(
      runnable('pre', (x: number) => x),
      inner,
    );
    const outer = createGraph<number, number>()._unsafeUnwrap();
    outer.addNode('s', seq)._unsafeUnwrap();
    outer
      .addNode(
        'post',
        runnable('post', (x: number) => x + 1),
      )
      ._unsafeUnwrap();
    outer.addEdge('s', 'post')._unsafeUnwrap();
    const { events, error } = await collect(outer.stream(1));
    expect(error).toBeUndefined();
    const s = summary(events);
    expect(s.indexOf('step-end:i2')).toBeGreaterThan(s.indexOf('step-start:i2'));
    expect(s.indexOf('step-start:post')).toBeGreaterThan(s.indexOf('step-end:i2'));
    expect(events.at(-1)).toMatchObject({ type: 'run-end', output: 21 });
  });
});

describe('review: timeouts', () => {
  it('a graph timeout fails with timeout naming the graph, a node timeout names the node', async () => {
    const g = graphOf({ a: () => new Promise(() => undefined) }, [], withGraphTimeout(20));
    const e = (await g.invoke(1))._unsafeUnwrapErr();
    expect(e.code).toBe('timeout');
    expect(e.message).toContain('graph');
    const n = graphOf({ a: [() => new Promise(() => undefined), withNodeTimeout(20)] }, []);
    const ne = (await n.invoke(1))._unsafeUnwrapErr();
    expect(ne.code).toBe('timeout');
    expect(ne.details.node).toBe('a');
  });
});

describe('review: resume', () => {
  it('resumes a failed run: succeeded nodes are not run again, the failed one is', async () => {
    const store = new RecordingStore();
    let aCalls = 0;
    let fail = true;
    const g = graphOf<number, number>(
      {
        a: (x: number) => (aCalls++, x + 1),
        b: (x: number) => {
          if (fail) throw new Error('b broke');
          return x * 2;
        },
      },
      [['a', 'b']],
      withGraphCheckpointer(store),
    );
    const first = g.start(1, { runId: 'r1' })._unsafeUnwrap();
    expect((await first.result).isErr()).toBe(true);
    fail = false;
    const handle = (await g.resume('r1'))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe(4);
    expect(aCalls).toBe(1);
    expect(handle.progress()).toMatchObject({ succeeded: 2, failed: 0 });
  });

  it('a node a resume runs again never gets its old output back when that resume ends before it finished', async () => {
    // p -optional-> c, p -> x. 1: p fails, c runs without its output. 2: resumed, p succeeds and
    // c starts again, but the run is canceled before c finished. 3: c must run on p's output.
    const store = new RecordingStore();
    const controller = new AbortController();
    let phase = 1;
    const g = graphOf<number, { c: string; x: string }>(
      {
        p: () => {
          if (phase === 1) throw new OrchestrationError('execution_failed', 'p broke');
          return 'p';
        },
        c: (v: unknown) => {
          if (phase !== 2) return `c(${String(v)})`;
          controller.abort();
          return new Promise<never>(() => undefined);
        },
        x: (v: string) => `x(${v})`,
      },
      [
        ['p', 'c', false],
        ['p', 'x'],
      ],
      withGraphCheckpointer(store),
      withGraphFailFast(false),
    );
    expect((await g.invoke(0, { runId: 'r2' })).isErr()).toBe(true);
    expect(store.nodes.get('r2')?.get('c')).toMatchObject({ output: 'c(undefined)' });
    phase = 2;
    const canceled = (await g.resume('r2', { signal: controller.signal }))._unsafeUnwrap();
    expect((await canceled.result)._unsafeUnwrapErr().code).toBe('task_canceled');
    phase = 3;
    const result = await (await g.resume('r2'))._unsafeUnwrap().result;
    expect(result._unsafeUnwrap()).toEqual({ c: 'c(p)', x: 'x(p)' });
  });

  it('a node after a skipped parent runs again when the skip may not happen again', async () => {
    // p -optional-> r -conditional-> t -optional-> c, p -> x. 1: p fails, r runs without its
    // output and its router skips t, c runs without t's output. 2: resumed, p succeeds, r runs
    // again and picks t this time, so c must run on t's output.
    const store = new RecordingStore();
    let pFails = true;
    const node = (name: string) => (v: unknown) => `${name}(${String(v)})`;
    const g = graphOf<number, { c: string; x: string }>(
      {
        p: () => {
          if (pFails) throw new OrchestrationError('execution_failed', 'p broke');
          return 'p';
        },
        r: node('r'),
        t: node('t'),
        c: node('c'),
        x: node('x'),
      },
      [
        ['p', 'r', false],
        ['t', 'c', false],
        ['p', 'x'],
      ],
      withGraphCheckpointer(store),
      withGraphFailFast(false),
    );
    g.addConditionalEdges('r', (out: string) => (out.includes('undefined') ? [] : ['t']), [
      't',
    ])._unsafeUnwrap();
    expect((await g.invoke(0, { runId: 'r3' })).isErr()).toBe(true);
    expect(store.nodes.get('r3')?.get('t')).toMatchObject({ status: 'skipped' });
    pFails = false;
    const result = await (await g.resume('r3'))._unsafeUnwrap().result;
    expect(result._unsafeUnwrap()).toEqual({ c: 'c(t(r(p)))', x: 'x(p)' });
  });

  it('a skip a resume decides anew is not trusted by the next resume when that one ends first', async () => {
    // As above, but the first resume is canceled once t starts: r's new record is written, t's
    // old skip is still stored, and the next resume must not keep c behind it.
    const store = new RecordingStore();
    const controller = new AbortController();
    let phase = 1;
    const node = (name: string) => (v: unknown) => `${name}(${String(v)})`;
    const g = graphOf<number, { c: string; x: string }>(
      {
        p: () => {
          if (phase === 1) throw new OrchestrationError('execution_failed', 'p broke');
          return 'p';
        },
        r: node('r'),
        t: (v: unknown) => {
          if (phase !== 2) return `t(${String(v)})`;
          controller.abort();
          return new Promise<never>(() => undefined);
        },
        c: node('c'),
        x: node('x'),
      },
      [
        ['p', 'r', false],
        ['t', 'c', false],
        ['p', 'x'],
      ],
      withGraphCheckpointer(store),
      withGraphFailFast(false),
    );
    g.addConditionalEdges('r', (out: string) => (out.includes('undefined') ? [] : ['t']), [
      't',
    ])._unsafeUnwrap();
    expect((await g.invoke(0, { runId: 'r4' })).isErr()).toBe(true);
    phase = 2;
    const canceled = (await g.resume('r4', { signal: controller.signal }))._unsafeUnwrap();
    expect((await canceled.result)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(store.nodes.get('r4')?.get('r')).toMatchObject({ output: 'r(p)' });
    expect(store.nodes.get('r4')?.get('t')).toMatchObject({
      status: 'failed',
      error: { code: 'invalid_state' },
    });
    phase = 3;
    const result = await (await g.resume('r4'))._unsafeUnwrap().result;
    expect(result._unsafeUnwrap()).toEqual({ c: 'c(t(r(p)))', x: 'x(p)' });
  });
});

describe('review: progress with a checkpointer', () => {
  it('counts a node whose checkpoint is being written as running, not as not started', async () => {
    const gate = deferred();
    const store = new RecordingStore();
    const save = store.saveNode.bind(store);
    const slowSave = (record: NodeCheckpoint): ResultAsync<void, OrchestrationError> =>
      new ResultAsync(
        gate.promise.then(async (): Promise<Result<void, OrchestrationError>> => save(record)),
      );
    store.saveNode = slowSave;
    const g = graphOf<number, number>(
      { a: (x: number) => x + 1, b: (x: number) => x * 2 },
      [['a', 'b']],
      withGraphCheckpointer(store),
    );
    const handle = g.start(1)._unsafeUnwrap();
    await sleep(10);
    expect(handle.progress()).toEqual({
      total: 2,
      pending: 1,
      running: 1,
      succeeded: 0,
      failed: 0,
      skipped: 0,
    });
    gate.resolve();
    expect((await handle.result)._unsafeUnwrap()).toBe(4);
    expect(handle.progress()).toMatchObject({ succeeded: 2, pending: 0, running: 0 });
  });
});

describe('review: freezing', () => {
  it('a start() refused for bad options does not freeze the structure', () => {
    const g = graphOf<number, number>({ a: (x: number) => x }, []);
    expect(g.start(1, { timeoutMs: -1 })._unsafeUnwrapErr().code).toBe('invalid_config');
    expect(
      g
        .addNode(
          'b',
          runnable('b', (x: number) => x),
        )
        .isOk(),
    ).toBe(true);
    g.addEdge('a', 'b')._unsafeUnwrap();
    g.start(1)._unsafeUnwrap();
    expect(
      g
        .addNode(
          'c',
          runnable('c', (x: number) => x),
        )
        ._unsafeUnwrapErr().code,
    ).toBe('invalid_state');
  });
});

describe('review: unsubscribing and nesting under cancellation', () => {
  it('unsubscribing during a retry backoff clears the backoff timer', async () => {
    const g = graphOf<number, number>(
      {
        a: [
          () => {
            throw new OrchestrationError('timeout', 'flaky');
          },
          withNodeRetries(3),
          withNodeRetryPolicy({ initialDelayMs: 60_000, jitter: 0 }),
        ],
      },
      [],
    );
    const sub = g.stream(1).subscribe({ error: () => undefined });
    await until(() => timers.pending(1_000) === 1);
    sub.unsubscribe();
    await tick();
    expect(timers.pending()).toBe(0);
  });

  it('canceling an outer graph aborts the nodes of an inner graph and clears its timer', async () => {
    const log: string[] = [];
    const inner = graphOf<number, number>(
      {
        i: runnable('i', (_: number, ctx) => {
          log.push('start');
          ctx.signal.addEventListener('abort', () => log.push('abort'), { once: true });
          return new Promise(() => undefined);
        }),
      },
      [],
      withGraphTimeout(60_000),
    );
    const outer = graphOf<number, number>({ o: inner }, []);
    const controller = new AbortController();
    const run = outer.invoke(1, { signal: controller.signal });
    await until(() => log.length === 1);
    expect(timers.pending(60_000)).toBe(1);
    controller.abort();
    expect((await run)._unsafeUnwrapErr().code).toBe('task_canceled');
    await tick();
    expect(log).toEqual(['start', 'abort']);
    expect(timers.pending()).toBe(0);
  });
});

describe('review: reusing a run id', () => {
  it('refuses to start a fresh run over a checkpointed one, keeping its records resumable', async () => {
    const store = new RecordingStore();
    const g = graphOf<number, number>(
      { a: (x: number) => x + 1, b: (x: number) => x * 2 },
      [['a', 'b']],
      withGraphCheckpointer(store),
    );
    expect((await g.invoke(1, { runId: 'r1' }))._unsafeUnwrap()).toBe(4);
    const before = structuredClone(store.nodes.get('r1'));

    const again = (await g.invoke(5, { runId: 'r1' }))._unsafeUnwrapErr();
    expect(again.code).toBe('invalid_state');
    expect(again.details).toMatchObject({ reason: 'run-exists', runId: 'r1' });
    expect(again.message).toContain('graph.resume("r1")');
    const handle = g.start(5, { runId: 'r1' })._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrapErr().code).toBe('invalid_state');
    expect(store.nodes.get('r1')).toEqual(before);
    expect(store.runs.get('r1')?.input).toBe(1);

    const resumed = (await g.resume('r1'))._unsafeUnwrap();
    expect((await resumed.result)._unsafeUnwrap()).toBe(4);
    await store.deleteRun('r1');
    expect((await g.invoke(5, { runId: 'r1' }))._unsafeUnwrap()).toBe(12);
  });

  it('fails with the store error when the store cannot tell whether the id is taken', async () => {
    const store = new RecordingStore();
    store.loadRun = () => errAsync(new OrchestrationError('dependency_failed', 'redis is down'));
    const g = graphOf<number, number>({ a: (x: number) => x }, [], withGraphCheckpointer(store));
    const error = (await g.invoke(1))._unsafeUnwrapErr();
    expect(error.code).toBe('dependency_failed');
    expect(store.log).toEqual([]);
  });
});
