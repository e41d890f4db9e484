import { runnable } from '@baton/core';
import { createInMemoryCheckpointStore } from '@baton/memory';
import { filter, firstValueFrom, of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  createOrchestrator,
  fromObservable,
  withCheckpointStore,
  withTriggerInput,
} from '../src/index.js';

const PIPELINE = `id: greet_pipeline
inputs:
  name: string
tasks:
  - id: greet
    action: remember
    parameters:
      who: "{input.name}"
`;

describe('Orchestrator.createTrigger', () => {
  it('runs a loaded pipeline once per event, with the checkpoint store of the Orchestrator', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const o = createOrchestrator(withCheckpointStore(store))._unsafeUnwrap();
    const greeted: unknown[] = [];
    o.registerAction('remember', (p) => {
      greeted.push(p['who']);
      return `hello ${String(p['who'])}`;
    })._unsafeUnwrap();
    const pipeline = (await o.loadPipeline({ text: PIPELINE }))._unsafeUnwrap();
    const source = fromObservable(of('ada', 'grace', 'ada'), {
      id: (name) => name,
    })._unsafeUnwrap();
    const trigger = o
      .createTrigger(
        source,
        pipeline,
        withTriggerInput<string>((event) => ({ name: event.payload })),
      )
      ._unsafeUnwrap();
    trigger.start()._unsafeUnwrap();
    await trigger.done;
    expect(greeted).toEqual(['ada', 'grace']);
    expect((await store.loadRun('trigger:grace'))._unsafeUnwrap().run.status).toBe('succeeded');
    await o.shutdown();
  });

  it('stops its triggers at shutdown, after their runs finish, and refuses new ones', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const o = createOrchestrator(withCheckpointStore(store))._unsafeUnwrap();
    let finish!: () => void;
    const step = runnable('step', async (n: number) => {
      await new Promise<void>((resolve) => (finish = resolve));
      return n;
    });
    const graph = o.createGraphBuilder().node(step).build()._unsafeUnwrap();
    const events = new Subject<number>();
    const trigger = o
      .createTrigger(fromObservable(events, { id: String })._unsafeUnwrap(), graph)
      ._unsafeUnwrap();
    const started = firstValueFrom(trigger.events$.pipe(filter((a) => a.type === 'started')));
    trigger.start()._unsafeUnwrap();
    await new Promise((resolve) => setTimeout(resolve, 0));
    events.next(1);
    await started;
    const stopping = o.shutdown();
    expect(
      o.createTrigger(fromObservable(of(1), { id: String })._unsafeUnwrap(), graph).isErr(),
    ).toBe(true);
    finish();
    await stopping;
    await trigger.done;
    expect(trigger.stats()).toMatchObject({ completed: 1, inFlight: 0 });
    expect((await store.loadRun('trigger:1'))._unsafeUnwrap().run.status).toBe('succeeded');
  });

  it('hands back, never dead-letters, a run canceled at the shutdown deadline', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const o = createOrchestrator(withCheckpointStore(store))._unsafeUnwrap();
    const stuck = runnable('stuck', (_n: number, ctx) => {
      return new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
      );
    });
    const graph = o.createGraphBuilder().node(stuck).build()._unsafeUnwrap();
    const events = new Subject<number>();
    const trigger = o
      .createTrigger(fromObservable(events, { id: String })._unsafeUnwrap(), graph)
      ._unsafeUnwrap();
    const types: string[] = [];
    trigger.events$.subscribe((a) => types.push(a.type));
    const started = firstValueFrom(trigger.events$.pipe(filter((a) => a.type === 'started')));
    trigger.start()._unsafeUnwrap();
    await new Promise((resolve) => setTimeout(resolve, 0));
    events.next(7);
    await started;
    await o.shutdown({ timeoutMs: 20 });
    await trigger.done;
    expect(types).toContain('released');
    expect(types).not.toContain('dead-lettered');
    expect((await store.loadRun('trigger:7'))._unsafeUnwrap().run.status).toBe('canceled');
  });
});
