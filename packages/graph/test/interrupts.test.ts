import { runnable, type RunEvent, type StepContext } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { withGraphCheckpointer, withGraphName } from '../src/index.js';
import { collect, deferred, graphOf, RecordingStore, within } from './support.js';

/** a -> ask -> done, with b running beside ask; `ask` asks for approval. */
function approvalGraph(store: RecordingStore, ran: string[], gate?: Promise<void>) {
  return graphOf<number, number>(
    {
      a: (x: number) => (ran.push('a'), x + 1),
      ask: runnable('ask', (x: number, ctx: StepContext) => {
        ran.push('ask');
        const factor = ctx.interrupt<number>({ question: 'factor?', x });
        return x * factor;
      }),
      b: runnable('b', async (x: number) => {
        ran.push('b');
        await gate;
        return x - 1;
      }),
      done: (inputs: { ask: number; b: number }) => (ran.push('done'), inputs.ask + inputs.b),
    },
    [
      ['a', 'ask'],
      ['a', 'b'],
      ['ask', 'done'],
      ['b', 'done'],
    ],
    withGraphName('approval'),
    withGraphCheckpointer(store),
  );
}

describe('ctx.interrupt', () => {
  it('stops the run once running nodes settle, stores it interrupted, and resumes with the answer', async () => {
    const store = new RecordingStore();
    const ran: string[] = [];
    const gate = deferred();
    const graph = approvalGraph(store, ran, gate.promise);
    const handle = graph.start(1, { runId: 'r1' })._unsafeUnwrap();
    const events = collect(handle.events$);
    setTimeout(() => gate.resolve(), 20);
    const result = await within(handle.result);
    expect(result.isErr() && result.error.details.reason).toBe('interrupted');
    expect(handle.status()).toBe('interrupted');
    expect(handle.interrupts()).toEqual({ ask: { question: 'factor?', x: 2 } });
    const interrupt = (await events).events.find((e) => e.type === 'step-interrupt');
    expect(interrupt).toMatchObject({ step: 'ask', key: 'ask', path: ['ask'], payload: { x: 2 } });
    // b was running when ask interrupted: it finished and its record was written.
    const stored = store.runs.get('r1');
    expect(stored?.status).toBe('interrupted');
    expect(stored?.interrupts).toEqual({ ask: { question: 'factor?', x: 2 } });
    expect(store.nodes.get('r1')?.get('b')?.status).toBe('succeeded');
    expect(ran).not.toContain('done');

    ran.length = 0;
    const resumed = (await graph.resume('r1', { answers: { ask: 10 } }))._unsafeUnwrap();
    expect((await within(resumed.result))._unsafeUnwrap()).toBe(20 + 1);
    expect(ran.sort()).toEqual(['ask', 'done']); // a and b are not run again
    expect(store.runs.get('r1')?.status).toBe('succeeded');
  });

  it('works under invoke: the Err names the interrupts; a resume in a new graph object continues', async () => {
    const store = new RecordingStore();
    const first = approvalGraph(store, []);
    const result = await first.invoke(1, { runId: 'r2' });
    expect(result._unsafeUnwrapErr().details).toMatchObject({
      reason: 'interrupted',
      interrupts: { ask: { question: 'factor?', x: 2 } },
    });
    const ran: string[] = [];
    const second = approvalGraph(store, ran); // "another process": same store, new graph
    const handle = (await second.resume('r2', { answers: { ask: 3 } }))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe(6 + 1);
    expect(ran.sort()).toEqual(['ask', 'done']);
  });

  it('asks again when resumed without an answer, and refuses answers to questions not asked', async () => {
    const store = new RecordingStore();
    const graph = approvalGraph(store, []);
    await graph.invoke(1, { runId: 'r3' });
    const again = (await graph.resume('r3'))._unsafeUnwrap();
    expect((await again.result)._unsafeUnwrapErr().details.reason).toBe('interrupted');
    expect(again.status()).toBe('interrupted');
    const typo = await graph.resume('r3', { answers: { aks: 1 } });
    expect(typo._unsafeUnwrapErr().code).toBe('invalid_config');
    expect(typo._unsafeUnwrapErr().message).toContain('"aks"');
    expect(typo._unsafeUnwrapErr().message).toContain('"ask"');
    const bad = await graph.resume('r3', { answers: 5 as never });
    expect(bad._unsafeUnwrapErr().code).toBe('invalid_config');
  });

  it('collects several interrupts of one run, answered together', async () => {
    const store = new RecordingStore();
    const ask = (name: string) =>
      runnable(name, (x: number, ctx: StepContext) => x + ctx.interrupt<number>(`${name}?`));
    const graph = graphOf<number, Record<string, number>>(
      { p: ask('p'), q: ask('q'), r: (x: number) => x },
      [],
      withGraphCheckpointer(store),
    );
    const first = await graph.invoke(1, { runId: 'r4' });
    expect(first._unsafeUnwrapErr().details.interrupts).toEqual({ p: 'p?', q: 'q?' });
    const handle = (await graph.resume('r4', { answers: { p: 10, q: 20 } }))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toEqual({ p: 11, q: 21, r: 1 });
  });

  it('keeps the answers in the run record, so a resume that crashes can be resumed again', async () => {
    const store = new RecordingStore();
    const graph = approvalGraph(store, []);
    await graph.invoke(1, { runId: 'r5' });
    const crash = new AbortController();
    const handle = (
      await graph.resume('r5', { answers: { ask: 2 }, signal: crash.signal })
    )._unsafeUnwrap();
    crash.abort(); // the resumed run dies before anything finishes
    expect((await handle.result).isErr()).toBe(true);
    expect(store.runs.get('r5')?.answers).toEqual({ ask: 2 });
    const again = (await graph.resume('r5'))._unsafeUnwrap();
    expect((await again.result)._unsafeUnwrap()).toBe(4 + 1);
  });

  it('without a checkpointer fails the node with invalid_state naming the option', async () => {
    const graph = graphOf<number, number>(
      { ask: runnable('ask', (x: number, ctx: StepContext) => ctx.interrupt<number>(x)) },
      [],
    );
    const error = (await graph.invoke(1))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain('withGraphCheckpointer');
  });

  it('outside a graph node throws invalid_state', async () => {
    const step = runnable('alone', (x: number, ctx: StepContext) => ctx.interrupt<number>(x));
    const error = (await step.invoke(1))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_state');
    expect(error.details.reason).toBe('no-interrupt');
  });

  it('interrupts inside a nested graph are keyed by path and answered from the outer run', async () => {
    const store = new RecordingStore();
    const ran: string[] = [];
    const inner = graphOf<number, number>(
      {
        x: (n: number) => (ran.push('x'), n * 2),
        ask: runnable('ask', (n: number, ctx: StepContext) => {
          ran.push('ask');
          return n + ctx.interrupt<number>('how much?');
        }),
      },
      [['x', 'ask']],
      withGraphName('inner'),
      withGraphCheckpointer(store),
    );
    const outer = graphOf<number, number>(
      { pre: (n: number) => (ran.push('pre'), n + 1), sub: inner },
      [['pre', 'sub']],
      withGraphName('outer'),
      withGraphCheckpointer(store),
    );
    const handle = outer.start(1, { runId: 'o1' })._unsafeUnwrap();
    const { events } = await collect(handle.events$);
    expect(handle.status()).toBe('interrupted');
    expect(handle.interrupts()).toEqual({ 'sub/ask': 'how much?' });
    expect(
      events.find(
        (e): e is Extract<RunEvent, { type: 'step-interrupt' }> => e.type === 'step-interrupt',
      ),
    ).toMatchObject({
      key: 'sub/ask',
      path: ['sub', 'ask'],
    });
    expect(store.runs.get('o1/sub')?.status).toBe('interrupted');
    ran.length = 0;
    const resumed = (await outer.resume('o1', { answers: { 'sub/ask': 100 } }))._unsafeUnwrap();
    expect((await resumed.result)._unsafeUnwrap()).toBe(104);
    expect(ran).toEqual(['ask']); // pre and the inner x are restored
  });
});
