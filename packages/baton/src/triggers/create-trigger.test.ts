import { runnable, type CheckpointStore } from '@baton/core';
import { createGraphBuilder, withGraphCheckpointer, withGraphName } from '@baton/graph';
import {
  createFileCheckpointStore,
  createInMemoryCheckpointStore,
  withDirectory,
} from '@baton/memory';
import { createChain, withChainName } from '@baton/chain';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, filter, firstValueFrom, from, of, Subject, throwError } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTrigger } from './create-trigger.js';
import type { Trigger } from './trigger.js';
import { fromObservable } from './from-observable.js';
import type { TriggerActivity } from './trigger-activity.js';
import {
  withTriggerConcurrency,
  withTriggerDeadLetter,
  withTriggerInput,
  withTriggerLedger,
  withTriggerName,
  withTriggerRunId,
} from './trigger-options.js';

interface Order {
  readonly id: string;
  readonly amount: number;
  readonly fail?: boolean;
}

const orders$ = (...orders: Order[]) => from(orders);

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileStore(): CheckpointStore {
  const dir = mkdtempSync(join(tmpdir(), 'baton-trigger-'));
  dirs.push(dir);
  return createFileCheckpointStore(withDirectory(dir))._unsafeUnwrap();
}

/** A two-node graph that counts how often each order's nodes ran and the runs in flight. */
function orderGraph(store: CheckpointStore) {
  const runs = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const price = runnable('price', async (order: Order) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    runs.set(order.id, (runs.get(order.id) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight -= 1;
    if (order.fail === true) throw new Error(`order ${order.id} cannot be priced`);
    return order.amount * 2;
  });
  const label = runnable('label', (total: number) => `total ${total}`);
  const graph = createGraphBuilder()
    .node(price)
    .node(label)
    .edge('price', 'label')
    .build(withGraphName('orders'), withGraphCheckpointer(store))
    ._unsafeUnwrap();
  return { graph, runs, maxInFlight: () => maxInFlight };
}

function record(trigger: Trigger): TriggerActivity[] {
  const seen: TriggerActivity[] = [];
  trigger.events$.subscribe((a) => seen.push(a));
  return seen;
}

describe('createTrigger with an Observable source and a graph', () => {
  it('runs the graph once per distinct event id, at most `concurrency` at once', async () => {
    const store = fileStore();
    const { graph, runs, maxInFlight } = orderGraph(store);
    const orders: Order[] = [
      { id: 'a', amount: 1 },
      { id: 'b', amount: 2 },
      { id: 'a', amount: 1 },
      { id: 'c', amount: 3 },
      { id: 'b', amount: 2 },
      { id: 'd', amount: 4 },
    ];
    const source = fromObservable(from(orders), { id: (o) => o.id })._unsafeUnwrap();
    const trigger = createTrigger(
      source,
      graph,
      withTriggerConcurrency(2),
      withTriggerName('shop'),
    )._unsafeUnwrap();
    const seen = record(trigger);
    trigger.start()._unsafeUnwrap();
    await trigger.done;
    expect(Object.fromEntries(runs)).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    expect(maxInFlight()).toBeLessThanOrEqual(2);
    expect(trigger.stats()).toMatchObject({
      received: 6,
      started: 4,
      skipped: 2,
      completed: 4,
      inFlight: 0,
    });
    const stored = (await store.loadRun('shop:c'))._unsafeUnwrap();
    expect(stored.run.status).toBe('succeeded');
    expect(seen.at(-1)?.type).toBe('ended');
  });

  it('skips events whose runs completed under an earlier trigger, and resumes unfinished ones', async () => {
    const store = fileStore();
    const { graph, runs } = orderGraph(store);
    const first = createTrigger(
      fromObservable(orders$({ id: 'x', amount: 1 }), { id: (o) => o.id })._unsafeUnwrap(),
      graph,
    )._unsafeUnwrap();
    first.start()._unsafeUnwrap();
    await first.done;
    // An unfinished run of 'y': its record exists (pending), as after a crash.
    const now = Date.now();
    (
      await store.saveRun({
        runId: 'trigger:y',
        graph: 'orders',
        status: 'running',
        input: { id: 'y', amount: 5 },
        startedAt: now,
        updatedAt: now,
      })
    )._unsafeUnwrap();
    const second = createTrigger(
      fromObservable(orders$({ id: 'x', amount: 1 }, { id: 'y', amount: 5 }), {
        id: (o) => o.id,
      })._unsafeUnwrap(),
      graph,
    )._unsafeUnwrap();
    const seen = record(second);
    second.start()._unsafeUnwrap();
    await second.done;
    expect(Object.fromEntries(runs)).toEqual({ x: 1, y: 1 });
    expect(seen.filter((a) => a.type === 'skipped').map((a) => a.eventId)).toEqual(['x']);
    expect(seen.filter((a) => a.type === 'resumed').map((a) => a.runId)).toEqual(['trigger:y']);
    expect((await store.loadRun('trigger:y'))._unsafeUnwrap().run.status).toBe('succeeded');
  });

  it('dead-letters an event whose run failed, and again (without running) on redelivery', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const { graph, runs } = orderGraph(store);
    const dead: string[] = [];
    const make = () =>
      createTrigger(
        fromObservable(orders$({ id: 'bad', amount: 1, fail: true }, { id: 'ok', amount: 1 }), {
          id: (o) => o.id,
        })._unsafeUnwrap(),
        graph,
        withTriggerDeadLetter((event, failure) => {
          dead.push(`${event.id}:${failure.code}`);
        }),
      )._unsafeUnwrap();
    const first = make();
    const seen = record(first);
    first.start()._unsafeUnwrap();
    await first.done;
    expect(seen.filter((a) => a.type === 'failed').map((a) => a.eventId)).toEqual(['bad']);
    expect(seen.filter((a) => a.type === 'dead-lettered').map((a) => a.eventId)).toEqual(['bad']);
    const second = make();
    second.start()._unsafeUnwrap();
    await second.done;
    expect(runs.get('bad')).toBe(1);
    expect(dead).toEqual(['bad:execution_failed', 'bad:execution_failed']);
    expect(second.stats()).toMatchObject({ deadLettered: 1, skipped: 1 });
  });

  it('builds the input and the run id from the event', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const { graph, runs } = orderGraph(store);
    const source = fromObservable(of({ ref: 'r1', cents: 7 }), {
      id: (v) => v.ref,
      payload: (v) => ({ cents: v.cents }),
    })._unsafeUnwrap();
    const trigger = createTrigger(
      source,
      graph,
      withTriggerInput<{ cents: number }>((event) => ({
        id: event.id,
        amount: event.payload.cents,
      })),
      withTriggerRunId((event) => `order-${event.id}`),
    )._unsafeUnwrap();
    trigger.start()._unsafeUnwrap();
    await trigger.done;
    expect(runs.get('r1')).toBe(1);
    expect((await store.loadRun('order-r1'))._unsafeUnwrap().run.input).toEqual({
      id: 'r1',
      amount: 7,
    });
  });

  it('reports an Observable error and an overflowing buffer, and still runs what it has', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const { graph, runs } = orderGraph(store);
    const failing = concat(
      orders$({ id: 'a', amount: 1 }),
      throwError(() => new Error('feed broke')),
    );
    const trigger = createTrigger(
      fromObservable(failing, { id: (o) => o.id })._unsafeUnwrap(),
      graph,
    )._unsafeUnwrap();
    const seen = record(trigger);
    trigger.start()._unsafeUnwrap();
    await trigger.done;
    expect(runs.get('a')).toBe(1);
    const errors = seen.filter((a) => a.type === 'source-error');
    expect(errors.map((a) => a.error?.message)).toEqual([expect.stringContaining('feed broke')]);

    const subject = new Subject<Order>();
    const bounded = fromObservable(subject, { id: (o) => o.id, bufferLimit: 1 })._unsafeUnwrap();
    const second = createTrigger(bounded, graph, withTriggerConcurrency(1))._unsafeUnwrap();
    const seen2 = record(second);
    second.start()._unsafeUnwrap();
    await new Promise((resolve) => setTimeout(resolve, 0));
    subject.next({ id: 'b', amount: 1 }); // taken by the waiting pull
    subject.next({ id: 'c', amount: 1 }); // buffered
    subject.next({ id: 'd', amount: 1 }); // over the limit
    subject.complete();
    await second.done;
    expect(runs.get('b')).toBe(1);
    expect(runs.get('c')).toBe(1);
    expect(runs.has('d')).toBe(false);
    const overflow = seen2.find((a) => a.type === 'source-error');
    expect(overflow?.error).toMatchObject({
      code: 'resource_exhausted',
      details: { eventId: 'd' },
    });
  });
});

describe('createTrigger: stop', () => {
  it('drains: runs in flight finish, nothing new is pulled', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const { graph, runs } = orderGraph(store);
    const subject = new Subject<Order>();
    const source = fromObservable(subject, { id: (o) => o.id })._unsafeUnwrap();
    const trigger = createTrigger(source, graph, withTriggerConcurrency(1))._unsafeUnwrap();
    const seen = record(trigger);
    trigger.start()._unsafeUnwrap();
    await new Promise((resolve) => setTimeout(resolve, 0));
    subject.next({ id: 'a', amount: 1 });
    subject.next({ id: 'b', amount: 1 });
    await firstValueFrom(trigger.events$.pipe(filter((a) => a.type === 'started')));
    await trigger.stop();
    await trigger.stop(); // idempotent
    expect(runs.get('a')).toBe(1);
    expect(runs.has('b')).toBe(false);
    expect(seen.filter((a) => a.type === 'completed').map((a) => a.eventId)).toEqual(['a']);
    expect(trigger.start().isErr()).toBe(true);
    // 'b' waits in the source's buffer for the next trigger.
    const next = createTrigger(source, graph)._unsafeUnwrap();
    next.start()._unsafeUnwrap();
    subject.complete();
    await next.done;
    expect(Object.fromEntries(runs)).toEqual({ a: 1, b: 1 });
  });

  it('without drain: cancels runs in flight and releases them; their redelivery resumes them', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls: string[] = [];
    const slow = runnable('slow', async (order: Order, ctx) => {
      calls.push(order.id);
      if (calls.length === 1) {
        await new Promise<void>((resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('canceled')), { once: true });
          void gate.then(resolve);
        });
      }
      return order.amount;
    });
    const graph = createGraphBuilder()
      .node(slow)
      .build(withGraphName('slow'), withGraphCheckpointer(store))
      ._unsafeUnwrap();
    const subject = new Subject<Order>();
    const source = fromObservable(subject, { id: (o) => o.id })._unsafeUnwrap();
    const trigger = createTrigger(source, graph)._unsafeUnwrap();
    const seen = record(trigger);
    trigger.start()._unsafeUnwrap();
    await new Promise((resolve) => setTimeout(resolve, 0));
    subject.next({ id: 'a', amount: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await trigger.stop({ drain: false });
    expect(seen.filter((a) => a.type === 'released').map((a) => a.eventId)).toEqual(['a']);
    expect((await store.loadRun('trigger:a'))._unsafeUnwrap().run.status).toBe('canceled');
    release();
    const next = createTrigger(source, graph)._unsafeUnwrap();
    const seen2 = record(next);
    next.start()._unsafeUnwrap();
    subject.complete();
    await next.done;
    expect(seen2.filter((a) => a.type === 'resumed').map((a) => a.eventId)).toEqual(['a']);
    expect((await store.loadRun('trigger:a'))._unsafeUnwrap().run.status).toBe('succeeded');
  });
});

describe('createTrigger: chains and bad configuration', () => {
  it('records chain runs in the ledger, so a duplicate event does not run the chain again', async () => {
    const ledger = createInMemoryCheckpointStore()._unsafeUnwrap();
    const seen: string[] = [];
    const chain = createChain(
      [(o: Order) => (seen.push(o.id), o.amount + 1)],
      withChainName('bump'),
    )._unsafeUnwrap();
    const orders = orders$({ id: 'a', amount: 1 }, { id: 'a', amount: 1 }, { id: 'b', amount: 2 });
    const trigger = createTrigger(
      fromObservable(orders, { id: (o) => o.id })._unsafeUnwrap(),
      chain,
      withTriggerLedger(ledger),
    )._unsafeUnwrap();
    trigger.start()._unsafeUnwrap();
    await trigger.done;
    expect(seen).toEqual(['a', 'b']);
    expect((await ledger.loadRun('trigger:b'))._unsafeUnwrap().run.status).toBe('succeeded');
  });

  it('refuses a graph without checkpoints, a chain without a ledger, bad options and bad sources', () => {
    const graph = createGraphBuilder()
      .node(runnable('n', (x: number) => x))
      .build()
      ._unsafeUnwrap();
    const source = fromObservable(of(1), { id: String })._unsafeUnwrap();
    const noStore = createTrigger(source, graph);
    expect(noStore._unsafeUnwrapErr()).toMatchObject({ code: 'invalid_config' });
    expect(noStore._unsafeUnwrapErr().message).toContain('withGraphCheckpointer');
    const chain = createChain([(x: number) => x])._unsafeUnwrap();
    expect(createTrigger(source, chain)._unsafeUnwrapErr().message).toContain('withTriggerLedger');
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    expect(
      createTrigger(
        source,
        chain,
        withTriggerLedger(store),
        withTriggerConcurrency(0),
      )._unsafeUnwrapErr(),
    ).toMatchObject({ code: 'invalid_config', details: { field: 'concurrency' } });
    expect(
      createTrigger(source, chain, withTriggerLedger(store), withTriggerName('a b')).isErr(),
    ).toBe(true);
    expect(createTrigger({} as never, chain, withTriggerLedger(store)).isErr()).toBe(true);
    expect(createTrigger(source, {} as never).isErr()).toBe(true);
    expect(fromObservable([1] as never, { id: String }).isErr()).toBe(true);
    expect(
      fromObservable(of(1), { id: String, bufferLimit: 0 })._unsafeUnwrapErr().details,
    ).toMatchObject({ field: 'bufferLimit' });
  });

  it('dead-letters an event whose run id cannot be derived', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const { graph } = orderGraph(store);
    const trigger = createTrigger(
      fromObservable(orders$({ id: 'a', amount: 1 }), { id: (o) => o.id })._unsafeUnwrap(),
      graph,
      withTriggerRunId(() => 'has space'),
    )._unsafeUnwrap();
    const seen = record(trigger);
    trigger.start()._unsafeUnwrap();
    await trigger.done;
    expect(seen.find((a) => a.type === 'dead-lettered')?.error).toMatchObject({
      code: 'invalid_input',
    });
  });
});
