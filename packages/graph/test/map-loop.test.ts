import { OrchestrationError, runnable, type StepContext } from '@baton/core';
import { describe, expect, it } from 'vitest';
import {
  createGraph,
  withGraphCheckpointer,
  withGraphName,
  withNodeLoop,
  withNodeMap,
  withNodeRetries,
} from '../src/index.js';
import { collect, deferred, graphOf, RecordingStore, within } from './support.js';

describe('withNodeMap', () => {
  it('runs every item with bounded concurrency and keeps the input order', async () => {
    let running = 0;
    let most = 0;
    const double = runnable('double', async (n: number) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, (5 - n) * 2));
      running--;
      return n * 2;
    });
    const graph = graphOf<number[], number[]>(
      { double: [double, withNodeMap({ concurrency: 2 })] },
      [],
    );
    expect((await graph.invoke([1, 2, 3, 4]))._unsafeUnwrap()).toEqual([2, 4, 6, 8]);
    expect(most).toBe(2);
  });

  it('retries an item on its own, and a failing item fails the node naming it', async () => {
    const tries = new Map<number, number>();
    const flaky = runnable('flaky', (n: number) => {
      tries.set(n, (tries.get(n) ?? 0) + 1);
      if (n === 2 && (tries.get(n) ?? 0) < 2)
        throw new OrchestrationError('execution_failed', 'flaky', { retryable: true });
      if (n === 3) throw new OrchestrationError('execution_failed', 'broken', { retryable: false });
      return n;
    });
    const ok = graphOf<number[], number[]>(
      { m: [flaky, withNodeMap({ retries: 2, concurrency: 1 })] },
      [],
    );
    expect((await ok.invoke([1, 2]))._unsafeUnwrap()).toEqual([1, 2]);
    expect(tries.get(2)).toBe(2);
    const error = (await ok.invoke([1, 3]))._unsafeUnwrapErr();
    expect(error.message).toContain('item 1 failed');
    expect((error.details.failures as Record<string, OrchestrationError>).m?.details.item).toBe(1);
  });

  it("with onItemError 'skip' leaves failed items out and reports them", async () => {
    const picky = runnable('picky', (n: number) => {
      if (n % 2 === 1) throw new Error(`odd ${n}`);
      return n;
    });
    const graph = graphOf<number[], number[]>(
      { m: [picky, withNodeMap({ onItemError: 'skip' })] },
      [],
    );
    const { events } = await collect(graph.stream([1, 2, 3, 4]));
    const end = events.find((e) => e.type === 'run-end');
    expect(end?.type === 'run-end' && end.output).toEqual([2, 4]);
    const errors = events.filter((e) => e.type === 'step-error').map((e) => 'path' in e && e.path);
    expect(errors).toEqual([
      ['m', '0'],
      ['m', '2'],
    ]);
  });

  it('refuses input that is not a list, and bad settings', async () => {
    const graph = graphOf<number, number[]>({ m: [(n: number) => n, withNodeMap()] }, []);
    expect((await graph.invoke(5))._unsafeUnwrapErr().code).toBe('invalid_input');
    const g = createGraph()._unsafeUnwrap();
    const id = runnable('id', (n: number) => n);
    const zero = g.addNode('a', id, withNodeMap({ concurrency: 0 }))._unsafeUnwrapErr();
    expect(zero.code).toBe('invalid_config');
    expect(zero.message).toContain('concurrency to be a whole number >= 1');
    const both = g.addNode('b', id, withNodeMap(), withNodeLoop({ until: () => true }));
    expect(both._unsafeUnwrapErr().message).toContain('not both');
    const noUntil = g.addNode('c', id, withNodeLoop({} as never));
    expect(noUntil._unsafeUnwrapErr().message).toContain('until');
  });

  it('records each finished item, so a resumed run runs only the unfinished ones', async () => {
    const store = new RecordingStore();
    const ran: number[] = [];
    const hold = deferred();
    let blocking = true;
    const item = runnable('item', async (n: number) => {
      ran.push(n);
      if (n === 3 && blocking) await hold.promise;
      return n * 10;
    });
    const graph = graphOf<number[], number[]>(
      { m: [item, withNodeMap({ concurrency: 2 })] },
      [],
      withGraphName('mapper'),
      withGraphCheckpointer(store),
    );
    const crash = new AbortController();
    const first = graph.invoke([1, 2, 3, 4, 5], { runId: 'm1', signal: crash.signal });
    await within(
      (async () => {
        while ((store.nodes.get('m1/m')?.size ?? 0) < 3) await new Promise((r) => setTimeout(r, 1));
      })(),
    );
    crash.abort();
    expect((await first).isErr()).toBe(true);
    const finished = [...(store.nodes.get('m1/m')?.values() ?? [])]
      .filter((r) => r.status === 'succeeded')
      .map((r) => Number(r.node));
    blocking = false;
    ran.length = 0;
    const handle = (await graph.resume('m1'))._unsafeUnwrap();
    expect((await within(handle.result))._unsafeUnwrap()).toEqual([10, 20, 30, 40, 50]);
    for (const i of finished) expect(ran).not.toContain(i + 1);
    expect(ran).toContain(3);
  });

  it('an item that interrupts stops the map; the answer reaches it on resume', async () => {
    const store = new RecordingStore();
    const ran: number[] = [];
    const item = runnable('item', (n: number, ctx: StepContext) => {
      ran.push(n);
      return n === 2 ? n * ctx.interrupt<number>('factor for 2?') : n;
    });
    const graph = graphOf<number[], number[]>(
      { m: [item, withNodeMap({ concurrency: 1 })] },
      [],
      withGraphCheckpointer(store),
    );
    const handle = graph.start([1, 2, 3], { runId: 'mi' })._unsafeUnwrap();
    await handle.result;
    expect(handle.interrupts()).toEqual({ 'm/1': 'factor for 2?' });
    expect(ran).toEqual([1, 2]); // no new item starts once one interrupted
    ran.length = 0;
    const resumed = (await graph.resume('mi', { answers: { 'm/1': 100 } }))._unsafeUnwrap();
    expect((await resumed.result)._unsafeUnwrap()).toEqual([1, 200, 3]);
    expect(ran).toEqual([2, 3]);
  });
});

describe('withNodeLoop', () => {
  it('repeats until the condition holds and returns the last output', async () => {
    const graph = graphOf<number, number>(
      { grow: [(n: number) => n * 2, withNodeLoop({ until: (n: number) => n > 50 })] },
      [],
    );
    expect((await graph.invoke(1))._unsafeUnwrap()).toBe(64);
  });

  it('fails with resource_exhausted naming maxIterations', async () => {
    const graph = graphOf<number, number>(
      {
        spin: [(n: number) => n + 1, withNodeLoop({ until: () => false, maxIterations: 3 })],
      },
      [],
    );
    const error = (await graph.invoke(0))._unsafeUnwrapErr();
    expect(error.code).toBe('resource_exhausted');
    const cause = (error.details.failures as Record<string, OrchestrationError>).spin;
    expect(cause?.details).toMatchObject({ limit: 'maxIterations', maxIterations: 3 });
    expect(error.message).toContain('maxIterations (3)');
  });

  it('continues at the recorded iteration after a crash, and after a retry of the node', async () => {
    const store = new RecordingStore();
    const seen: number[] = [];
    let failAt = 4;
    const step = runnable('step', (n: number) => {
      seen.push(n);
      if (n === failAt) {
        failAt = 99; // fails once
        throw new OrchestrationError('execution_failed', 'boom', { retryable: true });
      }
      return n + 1;
    });
    const graph = graphOf<number, number>(
      { loop: [step, withNodeLoop({ until: (n: number) => n >= 6 }), withNodeRetries(1)] },
      [],
      withGraphCheckpointer(store),
    );
    // the first attempt fails at iteration 4; the retry continues there
    const retried = await graph.invoke(1, { runId: 'l1' });
    if (retried.isErr()) throw retried.error;
    expect(retried.value).toBe(6);
    expect(seen).toEqual([1, 2, 3, 4, 4, 5]);
    // a crash after iteration 2 of a new run, then a resume
    seen.length = 0;
    const crash = new AbortController();
    const slow = graphOf<number, number>(
      {
        loop: [
          runnable('step', async (n: number, ctx: StepContext) => {
            seen.push(n);
            if (n === 3)
              await new Promise((_, reject) =>
                ctx.signal.addEventListener('abort', () => reject(new Error('killed'))),
              );
            return n + 1;
          }),
          withNodeLoop({ until: (n: number) => n >= 6 }),
        ],
      },
      [],
      withGraphCheckpointer(store),
    );
    const first = slow.invoke(1, { runId: 'l2', signal: crash.signal });
    await within(
      (async () => {
        while ((store.nodes.get('l2/loop')?.size ?? 0) < 2)
          await new Promise((r) => setTimeout(r, 1));
      })(),
    );
    crash.abort();
    await first;
    seen.length = 0;
    const handle = (await graph.resume('l2'))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe(6);
    expect(seen).toEqual([3, 4, 5]); // iterations 1 and 2 are not run again
  });

  it('an iteration can interrupt; the answer is keyed by node and iteration', async () => {
    const store = new RecordingStore();
    const graph = graphOf<number, number>(
      {
        agent: [
          runnable('agent', (n: number, ctx: StepContext) =>
            n === 2 ? n + ctx.interrupt<number>('tool ok?') : n + 1,
          ),
          withNodeLoop({ until: (n: number) => n >= 10 }),
        ],
      },
      [],
      withGraphCheckpointer(store),
    );
    const handle = graph.start(1, { runId: 'li' })._unsafeUnwrap();
    await handle.result;
    expect(handle.interrupts()).toEqual({ 'agent/2': 'tool ok?' });
    const resumed = (await graph.resume('li', { answers: { 'agent/2': 8 } }))._unsafeUnwrap();
    expect((await resumed.result)._unsafeUnwrap()).toBe(10);
  });
});
