import { runnable } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { withGraphCheckpointer } from '../src/index.js';
import { graphOf, RecordingStore } from './support.js';

function counted(store: RecordingStore | undefined, ran: string[], failB: { on: boolean }) {
  return graphOf<number, number>(
    {
      a: (x: number) => (ran.push('a'), x + 1),
      b: runnable('b', (x: number) => {
        ran.push('b');
        if (failB.on) throw new Error('b crashed');
        return x * 2;
      }),
    },
    [['a', 'b']],
    ...(store === undefined ? [] : [withGraphCheckpointer(store)]),
  );
}

describe('graph.startOrResume', () => {
  it('starts a run the store does not know', async () => {
    const store = new RecordingStore();
    const ran: string[] = [];
    const handle = (
      await counted(store, ran, { on: false }).startOrResume('s1', 1)
    )._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe(4);
    expect(ran).toEqual(['a', 'b']);
    expect(store.runs.get('s1')?.status).toBe('succeeded');
  });

  it('continues a stored run without running finished nodes again (the stored input wins)', async () => {
    const store = new RecordingStore();
    const failB = { on: true };
    const ran: string[] = [];
    const graph = counted(store, ran, failB);
    expect((await graph.invoke(1, { runId: 's2' })).isErr()).toBe(true);
    failB.on = false;
    ran.length = 0;
    const handle = (await graph.startOrResume('s2', 99))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe(4);
    expect(ran).toEqual(['b']);
    // a finished run: calling again returns its output without running anything
    ran.length = 0;
    const again = (await graph.startOrResume('s2', 99))._unsafeUnwrap();
    expect((await again.result)._unsafeUnwrap()).toBe(4);
    expect(ran).toEqual([]);
  });

  it('needs a checkpointer and a valid run id', async () => {
    const none = counted(undefined, [], { on: false });
    expect((await none.startOrResume('x', 1))._unsafeUnwrapErr().details.reason).toBe(
      'no-checkpointer',
    );
    const graph = counted(new RecordingStore(), [], { on: false });
    expect((await graph.startOrResume('', 1))._unsafeUnwrapErr().code).toBe('invalid_config');
  });
});
