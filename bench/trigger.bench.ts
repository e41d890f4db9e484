/**
 * Trigger throughput: events per second through `createTrigger` (an in-memory pull source) to a
 * trivial one-node graph with an in-memory checkpoint store, against the same graph run directly
 * with `startOrResume` (the checkpointed run a trigger does for each event, without the trigger).
 * Each case handles a batch of BATCH fresh events; events/s = BATCH / mean batch time.
 */
import { runnable } from '@baton/core';
import { createGraphBuilder, withGraphCheckpointer, withGraphMaxWorkers } from '@baton/graph';
import { createInMemoryCheckpointStore } from '@baton/memory';
import { createTrigger, withTriggerConcurrency, type TriggerSource } from 'baton';
import { ok } from 'neverthrow';
import { Bench } from 'tinybench';

const BATCH = 1_000;
const store = createInMemoryCheckpointStore()._unsafeUnwrap();
const step = runnable('inc', (x: number) => x + 1);
const graph = createGraphBuilder()
  .node(step)
  .build(withGraphCheckpointer(store), withGraphMaxWorkers(64))
  ._unsafeUnwrap();
let round = 0;

/** Events `first` .. `first + count - 1`, acknowledged into thin air. */
function arraySource(first: number, count: number): TriggerSource<number> {
  let next = first;
  const done = () => Promise.resolve(ok(undefined));
  return {
    name: 'array',
    pull(max) {
      const taken = [];
      while (taken.length < max && next < first + count) {
        const id = next++;
        const event = { id: String(id), payload: id, deliveries: 1 };
        taken.push({ event, ack: done, release: done, deadLetter: done });
      }
      return Promise.resolve(ok(taken));
    },
    ended: () => next >= first + count,
    close: () => Promise.resolve(),
  };
}

async function throughTrigger(concurrency: number): Promise<void> {
  const base = round++ * BATCH;
  const source = arraySource(base, BATCH);
  const trigger = createTrigger(source, graph, withTriggerConcurrency(concurrency))._unsafeUnwrap();
  trigger.start()._unsafeUnwrap();
  await trigger.done;
  if (trigger.stats().completed !== BATCH)
    throw new Error(`lost events: ${JSON.stringify(trigger.stats())}`);
}

async function direct(concurrency: number): Promise<void> {
  const base = round++ * BATCH;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < BATCH) {
      const i = base + next++;
      const handle = (await graph.startOrResume(`direct:${i}`, i))._unsafeUnwrap();
      (await handle.result)._unsafeUnwrap();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function main(): Promise<void> {
  const bench = new Bench({ time: 3_000, warmupTime: 500 });
  for (const n of [1, 16]) {
    bench.add(`trigger, concurrency ${n}`, () => throughTrigger(n));
    bench.add(`startOrResume directly, ${n} at once`, () => direct(n));
  }
  await bench.run();
  console.table(
    bench.tasks.map((task) => {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
      const ms = result.latency.mean;
      return {
        case: task.name,
        'events/s': Math.round((BATCH / ms) * 1e3),
        'µs per event': ((ms * 1e3) / BATCH).toFixed(1),
      };
    }),
  );
}

await main();
