/**
 * Graphs inside graphs sharing one checkpoint store: where nested runs write, and how they
 * continue on resume and when their node is retried.
 */
import { OrchestrationError, parallel, runnable, sequence, type RunCheckpoint } from '@baton/core';
import { errAsync, ResultAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import {
  createGraph,
  withGraphCheckpointer,
  withGraphFailFast,
  withGraphMaxWorkers,
  withGraphName,
  withNodeRetries,
  withNodeRetryPolicy,
  withNodeTimeout,
} from '../src/index.js';
import { deferred, graphOf, RecordingStore, tick, within } from './support.js';

/** Node names recorded under `runId`, sorted. */
const recorded = (store: RecordingStore, runId: string): string[] =>
  [...(store.nodes.get(runId)?.keys() ?? [])].sort();

describe('nested graphs sharing one checkpoint store', () => {
  /** outer: a -> sub (inner: i1 -> i2) -> b; `failing` names nodes that fail on their first call. */
  function build(store: RecordingStore, failing: ReadonlySet<string>) {
    const calls: string[] = [];
    const broken = new Set(failing);
    const node = (name: string, fn: (x: number) => number) =>
      runnable(name, (x: number) => {
        calls.push(name);
        if (broken.delete(name)) throw new OrchestrationError('execution_failed', `${name} broke`);
        return fn(x);
      });
    const inner = graphOf<number, number>(
      { i1: node('i1', (x) => x + 1), i2: node('i2', (x) => x * 10) },
      [['i1', 'i2']],
      withGraphName('inner'),
      withGraphCheckpointer(store),
    );
    const outer = graphOf<number, number>(
      { a: node('a', (x) => x + 2), sub: inner, b: node('b', (x) => x - 3) },
      [
        ['a', 'sub'],
        ['sub', 'b'],
      ],
      withGraphName('outer'),
      withGraphCheckpointer(store),
    );
    return { outer, calls };
  }

  it('keeps the outer run records to the outer nodes; the inner run has its own id', async () => {
    const store = new RecordingStore();
    const { outer } = build(store, new Set());
    expect((await outer.invoke(1, { runId: 'r1' }))._unsafeUnwrap()).toBe(37);
    expect(store.runs.get('r1')).toMatchObject({ graph: 'outer', status: 'succeeded' });
    expect(recorded(store, 'r1')).toEqual(['a', 'b', 'sub']);
    expect(store.runs.get('r1/sub')).toMatchObject({
      graph: 'inner',
      status: 'succeeded',
      input: 3,
    });
    expect(recorded(store, 'r1/sub')).toEqual(['i1', 'i2']);
  });

  it('resumes after a node that follows the inner graph failed, without running the inner graph again', async () => {
    const store = new RecordingStore();
    const { outer, calls } = build(store, new Set(['b']));
    expect((await outer.invoke(1, { runId: 'r2' }))._unsafeUnwrapErr().message).toContain(
      'b broke',
    );
    calls.length = 0;
    const handle = (await outer.resume('r2'))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe(37);
    expect(calls).toEqual(['b']);
    expect(store.runs.get('r2')).toMatchObject({ graph: 'outer', status: 'succeeded' });
    expect(recorded(store, 'r2')).toEqual(['a', 'b', 'sub']);
  });

  it('resumes the inner graph too when it failed halfway: its finished nodes are not run again', async () => {
    const store = new RecordingStore();
    const { outer, calls } = build(store, new Set(['i2']));
    expect((await outer.invoke(1, { runId: 'r3' }))._unsafeUnwrapErr().message).toContain(
      'i2 broke',
    );
    expect(recorded(store, 'r3')).toEqual(['a', 'sub']); // nothing of the inner graph
    calls.length = 0;
    const handle = (await outer.resume('r3'))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe(37);
    expect(calls).toEqual(['i2', 'b']);
    expect(store.runs.get('r3/sub')).toMatchObject({ graph: 'inner', status: 'succeeded' });
  });

  it('runs the inner graph afresh on resume when its input changed', async () => {
    const store = new RecordingStore();
    const calls: string[] = [];
    let pFails = true;
    let xFails = true;
    const inner = graphOf<unknown, string>(
      { echo: (v: unknown) => (calls.push('echo'), `got ${String(v)}`) },
      [],
      withGraphName('inner'),
      withGraphCheckpointer(store),
    );
    const outer = graphOf<number, string>(
      {
        p: () => {
          if (pFails) throw new OrchestrationError('execution_failed', 'p broke');
          return 'p-out';
        },
        sub: inner,
        x: () => {
          if (xFails) throw new OrchestrationError('execution_failed', 'x broke');
          return 'x-out';
        },
        z: (r: { sub: string; x: string }) => `${r.sub} and ${r.x}`,
      },
      [
        ['p', 'sub', false],
        ['sub', 'z'],
        ['x', 'z'],
      ],
      withGraphName('outer'),
      withGraphCheckpointer(store),
      withGraphFailFast(false), // "sub" runs although "x" failed
    );
    expect((await outer.invoke(0, { runId: 'r4' })).isErr()).toBe(true);
    expect(calls).toEqual(['echo']); // ran on `undefined`: p had failed
    pFails = false;
    xFails = false;
    const handle = (await outer.resume('r4'))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe('got p-out and x-out');
    expect(calls).toEqual(['echo', 'echo']);
  });

  it('clears the stored inner run it does not continue, so a later resume cannot restore its nodes', async () => {
    const store = new RecordingStore();
    let pFails = true;
    let iFails = true;
    let jHangs = false;
    const inner = graphOf<unknown, { j: string; i: string }>(
      {
        j: (v: unknown) => (jHangs ? new Promise<never>(() => undefined) : `j:${String(v)}`),
        i: async (v: unknown) => {
          await tick(); // after j finished
          if (iFails) throw new OrchestrationError('execution_failed', 'i broke');
          return `i:${String(v)}`;
        },
      },
      [],
      withGraphName('inner'),
      withGraphCheckpointer(store),
    );
    const outer = graphOf<number, { j: string; i: string }>(
      {
        p: () => {
          if (pFails) throw new OrchestrationError('execution_failed', 'p broke');
          return 'p-out';
        },
        sub: inner,
      },
      [['p', 'sub', false]],
      withGraphName('outer'),
      withGraphCheckpointer(store),
    );
    // 1. p fails, the inner graph runs on `undefined`: j succeeds, i fails.
    expect((await outer.invoke(0, { runId: 'r9' })).isErr()).toBe(true);
    // 2. Resumed, p succeeds: another input, so the inner graph runs afresh; i fails before j ends.
    pFails = false;
    jHangs = true;
    const second = (await outer.resume('r9'))._unsafeUnwrap();
    expect((await within(second.result)).isErr()).toBe(true);
    // 3. Resumed again: the inner run of step 2 continues; j of step 1 ran on another input.
    iFails = false;
    jHangs = false;
    const third = (await outer.resume('r9'))._unsafeUnwrap();
    expect((await within(third.result))._unsafeUnwrap()).toEqual({ j: 'j:p-out', i: 'i:p-out' });
  });

  it('a nested run that replaces a stale stored run does not restore the stale records of its own nested runs', async () => {
    // outer: p -optional-> sub (middle: deep (inner: a, b, c)) and x. The inner run of one
    // input must never mix records of another input in, also when the middle run between
    // them was deleted as stale and run afresh.
    const store = new RecordingStore();
    const failing = new Set(['p', 'x']);
    const node = (name: string) =>
      runnable(name, (v: unknown) => {
        if (failing.delete(name)) throw new OrchestrationError('execution_failed', `${name} broke`);
        return `${name}(${String(v)})`;
      });
    const inner = graphOf<unknown, Record<string, string>>(
      { a: node('a'), b: node('b'), c: node('c') },
      [],
      withGraphName('inner'),
      withGraphCheckpointer(store),
      withGraphMaxWorkers(1), // a, b, c one after another, and c never starts once b failed
    );
    const middle = graphOf<unknown, Record<string, string>>(
      { deep: inner },
      [],
      withGraphName('middle'),
      withGraphCheckpointer(store),
    );
    const outer = graphOf<number, { sub: Record<string, string>; x: string }>(
      { p: node('p'), sub: middle, x: node('x') },
      [['p', 'sub', false]],
      withGraphName('outer'),
      withGraphCheckpointer(store),
      withGraphFailFast(false),
    );
    // 1. p fails: the inner graph runs on `undefined`; x fails the run.
    expect((await outer.invoke(0, { runId: 'r11' })).isErr()).toBe(true);
    expect(store.nodes.get('r11/sub/deep')?.get('c')).toMatchObject({ output: 'c(undefined)' });
    // 2. Resumed, p succeeds: the middle run of `undefined` is stale and runs afresh; its inner
    //    run gets "p(0)", and b fails before c starts.
    failing.add('b');
    expect((await (await outer.resume('r11'))._unsafeUnwrap().result).isErr()).toBe(true);
    // 3. Resumed again: every inner node ran on "p(0)" (c of step 1 ran on `undefined`).
    const result = await (await outer.resume('r11'))._unsafeUnwrap().result;
    expect(result._unsafeUnwrap().sub).toEqual({ a: 'a(p(0))', b: 'b(p(0))', c: 'c(p(0))' });
  });

  it('with a store that fails: an unreadable inner run runs afresh, an undeletable stale one fails the node', async () => {
    const store = new RecordingStore();
    const { outer, calls } = build(store, new Set(['i2', 'b']));
    expect((await outer.invoke(1, { runId: 'r10' })).isErr()).toBe(true);
    const loadRun = store.loadRun.bind(store);
    const deleteRun = store.deleteRun.bind(store);
    store.loadRun = (id) =>
      id === 'r10/sub'
        ? errAsync(new OrchestrationError('execution_failed', 'disk gone'))
        : loadRun(id);
    calls.length = 0;
    const unreadable = (await outer.resume('r10'))._unsafeUnwrap();
    expect((await unreadable.result)._unsafeUnwrapErr().message).toContain('b broke');
    expect(calls).toEqual(['i1', 'i2', 'b']);
    // The stored inner run now has another input than the one the resumed run gives it.
    store.loadRun = loadRun;
    store.nodes.get('r10')?.delete('sub');
    store.runs.set('r10/sub', { ...(store.runs.get('r10/sub') as RunCheckpoint), input: 99 });
    store.deleteRun = () => errAsync(new OrchestrationError('execution_failed', 'read-only'));
    const undeletable = (await outer.resume('r10'))._unsafeUnwrap();
    const error = (await undeletable.result)._unsafeUnwrapErr();
    expect(error.message).toContain('could not delete the stored run "r10/sub"');
    expect(error.message).toContain('read-only');
    store.deleteRun = deleteRun;
    calls.length = 0;
    const fixed = (await outer.resume('r10'))._unsafeUnwrap();
    expect((await fixed.result)._unsafeUnwrap()).toBe(37);
    expect(calls).toEqual(['i1', 'i2', 'b']);
  });

  it('gives two runs of one graph inside the same node their own ids', async () => {
    const store = new RecordingStore();
    const inner = graphOf<number, number>(
      { twice: (x: number) => x * 2 },
      [],
      withGraphName('inner'),
      withGraphCheckpointer(store),
    );
    const outer = createGraph<number, { l: number; r: number }>(
      withGraphName('outer'),
      withGraphCheckpointer(store),
    )._unsafeUnwrap();
    outer.addNode('both', parallel({ l: inner, r: inner }))._unsafeUnwrap();
    expect((await outer.invoke(4, { runId: 'r5' }))._unsafeUnwrap()).toEqual({ l: 8, r: 8 });
    expect([...store.runs.keys()].sort()).toEqual(['r5', 'r5/both', 'r5/both#2']);
    expect(recorded(store, 'r5')).toEqual(['both']);
  });

  it('gives runs started one after another in one node their own ids, so a resume continues each', async () => {
    const store = new RecordingStore();
    const calls: string[] = [];
    let broken = true;
    const inner = graphOf<number, number>(
      {
        i1: (x: number) => (calls.push(`i1(${x})`), x + 1),
        i2: (x: number) => {
          calls.push(`i2(${x})`);
          if (x > 10 && broken) throw new OrchestrationError('execution_failed', 'i2 broke');
          return x * 10;
        },
      },
      [['i1', 'i2']],
      withGraphName('inner'),
      withGraphCheckpointer(store),
    );
    const outer = createGraph<number, number>(
      withGraphName('outer'),
      withGraphCheckpointer(store),
    )._unsafeUnwrap();
    outer.addNode('twice', sequence(inner, inner))._unsafeUnwrap();
    expect((await outer.invoke(1, { runId: 'r6' }))._unsafeUnwrapErr().message).toContain(
      'i2 broke',
    );
    expect(calls).toEqual(['i1(1)', 'i2(2)', 'i1(20)', 'i2(21)']);
    expect([...store.runs.keys()].sort()).toEqual(['r6', 'r6/twice', 'r6/twice#2']);
    expect(store.runs.get('r6/twice')).toMatchObject({ input: 1, status: 'succeeded' });
    calls.length = 0;
    broken = false;
    const handle = (await outer.resume('r6'))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe(210);
    expect(calls).toEqual(['i2(21)']);
  });

  it('a retry of the node keeps the checkpoint id and continues the inner run, also while the timed-out attempt still writes', async () => {
    const store = new RecordingStore();
    const calls: string[] = [];
    // The final record of the timed-out attempt's inner run is written only once the retry runs.
    const lateWrite = deferred();
    let held = false;
    const saveRun = store.saveRun.bind(store);
    store.saveRun = (run) => {
      if (run.runId !== 'r7/sub' || run.status === 'running' || held) return saveRun(run);
      held = true;
      return new ResultAsync(lateWrite.promise.then(() => saveRun(run)));
    };
    let hang = true;
    const inner = graphOf<number, number>(
      {
        i1: (x: number) => (calls.push('i1'), x + 1),
        i2: (x: number) => {
          calls.push('i2');
          if (hang) {
            hang = false;
            return new Promise<never>(() => undefined);
          }
          lateWrite.resolve();
          return x * 10;
        },
      },
      [['i1', 'i2']],
      withGraphName('inner'),
      withGraphCheckpointer(store),
    );
    const outer = createGraph<number, number>(
      withGraphName('outer'),
      withGraphCheckpointer(store),
    )._unsafeUnwrap();
    outer
      .addNode(
        'sub',
        inner,
        withNodeTimeout(200), // the first attempt times out; the retry is far quicker
        withNodeRetries(1),
        withNodeRetryPolicy({ initialDelayMs: 0 }),
      )
      ._unsafeUnwrap();
    expect((await within(outer.invoke(1, { runId: 'r7' })))._unsafeUnwrap()).toBe(20);
    expect(calls).toEqual(['i1', 'i2', 'i2']); // i1 finished in the first attempt
    expect([...store.runs.keys()].sort()).toEqual(['r7', 'r7/sub']);
    expect(store.nodes.get('r7')?.get('sub')).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(store.runs.get('r7/sub')).toMatchObject({ status: 'succeeded' });
  });

  it('a run resumed from a node function (passing its ctx as parent) continues its nested runs too', async () => {
    const store = new RecordingStore();
    const { outer, calls } = build(store, new Set(['i2']));
    expect((await outer.invoke(1, { runId: 'r8' })).isErr()).toBe(true);
    calls.length = 0;
    const resumer = graphOf<string, number>(
      {
        resume: runnable('resume', async (runId: string, ctx) => {
          const handle = (await outer.resume(runId, { parent: ctx }))._unsafeUnwrap();
          return (await handle.result)._unsafeUnwrap();
        }),
      },
      [],
    );
    expect((await resumer.invoke('r8'))._unsafeUnwrap()).toBe(37);
    expect(calls).toEqual(['i2', 'b']);
  });
});
