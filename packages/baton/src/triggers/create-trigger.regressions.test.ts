import { OrchestrationError, runnable, type CheckpointStore, type Workflow } from '@baton/core';
import { createChain, withChainName } from '@baton/chain';
import { createGraphBuilder, withGraphCheckpointer, withGraphName } from '@baton/graph';
import { createInMemoryCheckpointStore } from '@baton/memory';
import { errAsync, ResultAsync } from 'neverthrow';
import { of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createTrigger } from './create-trigger.js';
import { fromObservable } from './from-observable.js';
import type { TriggerActivity } from './trigger-activity.js';
import {
  withTriggerBackoff,
  withTriggerConcurrency,
  withTriggerDeadLetter,
  withTriggerLedger,
} from './trigger-options.js';
import type { Trigger } from './trigger.js';

interface Order {
  readonly id: string;
}

function record(trigger: Trigger): TriggerActivity[] {
  const seen: TriggerActivity[] = [];
  trigger.events$.subscribe((a) => seen.push(a));
  return seen;
}

function gate(): { readonly open: () => void; readonly opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Lets pending promise callbacks and timers of 0 ms run. */
const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe('createTrigger regressions (review of issue 13)', () => {
  it('5: does not end while a run is in flight; an event released at the end is processed again', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const graph = createGraphBuilder()
      .node(
        runnable('w', () => {
          throw new Error('boom');
        }),
      )
      .build(withGraphName('g'), withGraphCheckpointer(store))
      ._unsafeUnwrap();
    let calls = 0;
    const source = fromObservable(of({ id: 'x' }), { id: (v: Order) => v.id })._unsafeUnwrap();
    const trigger = createTrigger(
      source,
      graph,
      withTriggerDeadLetter(() => {
        calls += 1;
        if (calls === 1) throw new Error('dead-letter store down');
      }),
    )._unsafeUnwrap();
    const seen = record(trigger);
    trigger.start()._unsafeUnwrap();
    await trigger.done;
    expect(calls).toBe(2);
    expect(seen.filter((a) => a.type === 'dead-lettered').map((a) => a.eventId)).toEqual(['x']);
  });

  it('a dead-letter callback that keeps throwing is retried after the backoff, not in a busy loop', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const graph = createGraphBuilder()
      .node(
        runnable('w', () => {
          throw new Error('boom');
        }),
      )
      .build(withGraphName('g'), withGraphCheckpointer(store))
      ._unsafeUnwrap();
    let calls = 0;
    const source = fromObservable(of({ id: 'x' }), { id: (v: Order) => v.id })._unsafeUnwrap();
    const trigger = createTrigger(
      source,
      graph,
      withTriggerBackoff(60_000, 60_000),
      withTriggerDeadLetter(() => {
        calls += 1;
        throw new Error('dead-letter store down');
      }),
    )._unsafeUnwrap();
    trigger.start()._unsafeUnwrap();
    await ticks(50);
    expect(calls).toBe(1);
    await trigger.stop({ drain: false });
  });

  it('6: an Observable burst makes one counted overflow report, without backing off the trigger', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const { open, opened } = gate();
    const done: string[] = [];
    const graph = createGraphBuilder()
      .node(
        runnable('w', async (o: Order) => {
          await opened;
          done.push(o.id);
          return o.id;
        }),
      )
      .build(withGraphName('g'), withGraphCheckpointer(store))
      ._unsafeUnwrap();
    const subject = new Subject<Order>();
    const source = fromObservable(subject, { id: (v) => v.id, bufferLimit: 2 })._unsafeUnwrap();
    // A backoff of a minute would stall the test (vitest's timeout) if the report backed off.
    const trigger = createTrigger(
      source,
      graph,
      withTriggerConcurrency(1),
      withTriggerBackoff(60_000, 60_000),
    )._unsafeUnwrap();
    const seen = record(trigger);
    trigger.start()._unsafeUnwrap();
    await ticks();
    for (let i = 0; i < 15; i += 1) subject.next({ id: `e${i}` });
    subject.complete();
    open();
    await trigger.done;
    // e0 is pulled at once, e1 and e2 are buffered, the 12 others are dropped.
    expect(done).toEqual(['e0', 'e1', 'e2']);
    const reports = seen.filter((a) => a.type === 'source-error');
    expect(reports).toHaveLength(1);
    expect(reports[0]?.error).toMatchObject({
      code: 'resource_exhausted',
      details: { dropped: 12, eventId: 'e3', bufferLimit: 2 },
    });
  });

  it('S2: a chain that ran but whose outcome could not be written is released, not dead-lettered', async () => {
    const inner = createInMemoryCheckpointStore()._unsafeUnwrap();
    let failWrites = 1;
    const ledger = new Proxy(inner, {
      get(target, key) {
        if (key === 'saveRun')
          return (run: Parameters<CheckpointStore['saveRun']>[0]) => {
            if (run.status === 'succeeded' && failWrites > 0) {
              failWrites -= 1;
              return errAsync(new OrchestrationError('dependency_failed', 'ledger: disk full'));
            }
            return target.saveRun(run);
          };
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const runs: string[] = [];
    const chain = createChain(
      [(o: Order) => (runs.push(o.id), o.id)],
      withChainName('c'),
    )._unsafeUnwrap();
    const trigger = createTrigger(
      fromObservable(of({ id: 'a' }), { id: (v: Order) => v.id })._unsafeUnwrap(),
      chain,
      withTriggerLedger(ledger),
      withTriggerBackoff(1, 1),
    )._unsafeUnwrap();
    const seen = record(trigger);
    trigger.start()._unsafeUnwrap();
    await trigger.done;
    const types = seen.map((a) => a.type);
    expect(types).toContain('released');
    expect(types).not.toContain('dead-lettered');
    expect(types).toContain('completed');
    expect(runs).toEqual(['a', 'a']);
    expect((await inner.loadRun('trigger:a'))._unsafeUnwrap().run.status).toBe('succeeded');
  });

  it('7: stop without drain does not wait for a Workflow execution that already exists', async () => {
    const never = new Promise<never>(() => undefined);
    const workflow = {
      name: 'wf',
      execute: () => errAsync(new OrchestrationError('invalid_state', 'not expected')),
      getResult: () => new ResultAsync(never),
    } as unknown as Workflow<never>;
    const subject = new Subject<Order>();
    const source = fromObservable(subject, { id: (v) => v.id })._unsafeUnwrap();
    const trigger = createTrigger(source, workflow)._unsafeUnwrap();
    const seen = record(trigger);
    trigger.start()._unsafeUnwrap();
    await ticks();
    subject.next({ id: 'a' });
    await ticks();
    await trigger.stop({ drain: false });
    expect(seen.filter((a) => a.type === 'released').map((a) => a.eventId)).toEqual(['a']);
    expect(seen.map((a) => a.type)).not.toContain('resumed');
  });

  it('refuses backoffMs 0 (a failing source would be retried in a busy loop)', () => {
    const graph = createGraphBuilder()
      .node(runnable('w', (x: unknown) => x))
      .build(withGraphCheckpointer(createInMemoryCheckpointStore()._unsafeUnwrap()))
      ._unsafeUnwrap();
    const source = fromObservable(of({ id: 'a' }), { id: (v: Order) => v.id })._unsafeUnwrap();
    const created = createTrigger(source, graph, withTriggerBackoff(0, 10));
    expect(created._unsafeUnwrapErr().code).toBe('invalid_config');
  });
});
