/**
 * Run handles (`start()`, `resume()`) replay the run's events: a subscriber that comes after the
 * handle was handed over (after awaiting `resume()`) still sees every event from `run-start` on.
 */
import { OrchestrationError, runnable, type RunEvent } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { withGraphCheckpointer, withGraphName } from '../src/index.js';
import { collect, graphOf, RecordingStore, summary, tick } from './support.js';

describe('run handle events', () => {
  it('start(): a subscriber right after start() sees run-start and every event after it', async () => {
    const g = graphOf<number, number>({ a: (x: number) => x + 1 }, [], withGraphName('g'));
    const handle = g.start(1)._unsafeUnwrap();
    const { events } = await collect(handle.events$);
    expect(summary(events)).toEqual(['run-start', 'step-start:a', 'step-end:a', 'run-end']);
  });

  it('start(): a subscriber that comes late (even after the run ended) sees them all', async () => {
    const g = graphOf<number, number>({ a: (x: number) => x + 1 }, []);
    const handle = g.start(1)._unsafeUnwrap();
    await tick();
    const early = await collect(handle.events$);
    await handle.result;
    const late = await collect(handle.events$);
    expect(summary(early.events)).toEqual(['run-start', 'step-start:a', 'step-end:a', 'run-end']);
    expect(summary(late.events)).toEqual(summary(early.events));
  });

  it('resume(): a subscriber after awaiting resume() sees run-start', async () => {
    const store = new RecordingStore();
    let fail = true;
    const build = () =>
      graphOf<number, number>(
        {
          a: (x: number) => x + 1,
          b: runnable('b', (x: number) => {
            if (fail) throw new OrchestrationError('invalid_input', 'no', { retryable: false });
            return x * 2;
          }),
        },
        [['a', 'b']],
        withGraphCheckpointer(store),
        withGraphName('resumable'),
      );
    expect((await build().invoke(1, { runId: 'r1' })).isErr()).toBe(true);
    fail = false;
    const handle = (await build().resume('r1'))._unsafeUnwrap();
    const { events, error } = await collect(handle.events$);
    expect(error).toBeUndefined();
    // `a` is restored from its checkpoint (its step-end carries the stored output).
    expect(summary(events)).toEqual([
      'run-start',
      'step-end:a',
      'step-start:b',
      'step-end:b',
      'run-end',
    ]);
    expect((events.at(-1) as RunEvent<number> & { output: number }).output).toBe(4);
  });
});
