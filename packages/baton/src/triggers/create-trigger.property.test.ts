import { OrchestrationError, runnable } from '@baton/core';
import { createGraphBuilder, withGraphCheckpointer, withGraphName } from '@baton/graph';
import { createInMemoryCheckpointStore } from '@baton/memory';
import fc from 'fast-check';
import { err, ok, type Result } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createTrigger } from './create-trigger.js';
import { withTriggerBackoff, withTriggerConcurrency } from './trigger-options.js';
import type { TriggerDelivery, TriggerEvent, TriggerSource } from './trigger-source.js';

interface Payload {
  readonly poison: boolean;
}

/**
 * An at-least-once source driven by a script: events come in the scripted order (duplicates
 * included), an ack or dead letter may fail (the event comes back, as after a consumer crash),
 * and an acknowledged event may be delivered again.
 */
class ScriptedSource implements TriggerSource<Payload> {
  readonly name = 'scripted';
  readonly deadLetters: string[] = [];
  readonly pending: TriggerEvent<Payload>[];
  #unsettled = 0;
  maxUnsettled = 0;
  #wake: (() => void) | undefined;

  constructor(
    events: readonly TriggerEvent<Payload>[],
    private readonly failures: boolean[],
    private readonly redeliveries: boolean[],
  ) {
    this.pending = [...events];
  }

  #flaky(): boolean {
    return this.failures.shift() ?? false;
  }

  #settle(event: TriggerEvent<Payload>, back: boolean): Result<void, OrchestrationError> {
    this.#unsettled -= 1;
    if (back) this.pending.push({ ...event, deliveries: event.deliveries + 1 });
    this.#wake?.();
    return back
      ? err(
          new OrchestrationError(
            'dependency_failed',
            `${this.name}: the broker dropped the connection`,
          ),
        )
      : ok(undefined);
  }

  #delivery(event: TriggerEvent<Payload>): TriggerDelivery<Payload> {
    return {
      event,
      ack: () => {
        const failed = this.#flaky();
        if (!failed && (this.redeliveries.shift() ?? false))
          this.pending.push({ ...event, deliveries: event.deliveries + 1 });
        return Promise.resolve(this.#settle(event, failed));
      },
      release: () => Promise.resolve(this.#settle(event, true).orElse(() => ok(undefined))),
      deadLetter: () => {
        const failed = this.#flaky();
        if (!failed) this.deadLetters.push(event.id);
        return Promise.resolve(this.#settle(event, failed));
      },
    };
  }

  async pull(
    max: number,
    signal: AbortSignal,
  ): Promise<Result<readonly TriggerDelivery<Payload>[], OrchestrationError>> {
    while (this.pending.length === 0 && !this.ended() && !signal.aborted) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    if (signal.aborted) return ok([]);
    const taken = this.pending.splice(0, max);
    this.#unsettled += taken.length;
    this.maxUnsettled = Math.max(this.maxUnsettled, this.#unsettled);
    return ok(taken.map((event) => this.#delivery(event)));
  }

  ended(): boolean {
    return this.pending.length === 0 && this.#unsettled === 0;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('createTrigger: exactly one completed run per event id under redelivery', () => {
  it('matches the reference: one run per good id, every poison id dead-lettered, never more than n in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 25 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(2, 3),
        async (ids, failures, redeliveries, concurrency, poisonEvery) => {
          const store = createInMemoryCheckpointStore()._unsafeUnwrap();
          const completions = new Map<string, number>();
          const work = runnable('work', async (input: Payload, ctx) => {
            await Promise.resolve();
            if (input.poison) throw new Error('poison event');
            completions.set(ctx.runId, (completions.get(ctx.runId) ?? 0) + 1);
            return 'done';
          });
          const graph = createGraphBuilder()
            .node(work)
            .build(withGraphName('prop'), withGraphCheckpointer(store))
            ._unsafeUnwrap();
          const poison = (n: number): boolean => n % poisonEvery === 0;
          const events = ids.map((n) => ({
            id: `e${n}`,
            payload: { poison: poison(n) },
            deliveries: 1,
          }));
          const source = new ScriptedSource(events, failures, redeliveries);
          const trigger = createTrigger(
            source,
            graph,
            withTriggerConcurrency(concurrency),
            withTriggerBackoff(1, 1),
          )._unsafeUnwrap();
          const completedEvents: string[] = [];
          trigger.events$.subscribe((a) => {
            if (a.type === 'completed' && a.eventId !== undefined) completedEvents.push(a.eventId);
          });
          trigger.start()._unsafeUnwrap();
          await trigger.done;

          const distinct = [...new Set(ids)];
          const good = distinct
            .filter((n) => !poison(n))
            .map((n) => `e${n}`)
            .sort();
          const bad = distinct
            .filter(poison)
            .map((n) => `e${n}`)
            .sort();
          expect([...completions.keys()].sort()).toEqual(good.map((id) => `trigger:${id}`));
          expect([...completions.values()].every((count) => count === 1)).toBe(true);
          expect([...completedEvents].sort()).toEqual(good);
          expect([...new Set(source.deadLetters)].sort()).toEqual(bad);
          expect(source.maxUnsettled).toBeLessThanOrEqual(concurrency);
          for (const id of good)
            expect((await store.loadRun(`trigger:${id}`))._unsafeUnwrap().run.status).toBe(
              'succeeded',
            );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a stop without drain releases runs in flight; the next trigger completes each of them exactly once', async () => {
    let releases = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 12 }),
        async (ids, failures, concurrency, stopAfter) => {
          const store = createInMemoryCheckpointStore()._unsafeUnwrap();
          const work = runnable('work', async (_input: Payload, ctx) => {
            await new Promise((resolve) => setTimeout(resolve, 0));
            ctx.signal.throwIfAborted();
            return 'done';
          });
          const graph = createGraphBuilder()
            .node(work)
            .build(withGraphName('stops'), withGraphCheckpointer(store))
            ._unsafeUnwrap();
          const events = ids.map((n) => ({
            id: `e${n}`,
            payload: { poison: false },
            deliveries: 1,
          }));
          const source = new ScriptedSource(events, failures, []);
          const completed: string[] = [];
          const make = () => {
            const trigger = createTrigger(
              source,
              graph,
              withTriggerConcurrency(concurrency),
              withTriggerBackoff(1, 1),
            )._unsafeUnwrap();
            trigger.events$.subscribe((a) => {
              if (a.type === 'completed' && a.eventId !== undefined) completed.push(a.eventId);
            });
            return trigger;
          };
          const first = make();
          let received = 0;
          first.events$.subscribe((a) => {
            if (a.type === 'released') releases += 1;
            if (a.type === 'received' && ++received === stopAfter)
              void first.stop({ drain: false });
          });
          first.start()._unsafeUnwrap();
          await first.done;
          const second = make();
          second.start()._unsafeUnwrap();
          await second.done;
          const good = [...new Set(ids)].map((n) => `e${n}`).sort();
          expect([...completed].sort()).toEqual(good);
          for (const id of good)
            expect((await store.loadRun(`trigger:${id}`))._unsafeUnwrap().run.status).toBe(
              'succeeded',
            );
        },
      ),
      { numRuns: 40 },
    );
    expect(releases).toBeGreaterThan(0); // the property did hand runs back
  });
});
