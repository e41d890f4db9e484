import fc from 'fast-check';
import { err, ok, okAsync } from 'neverthrow';
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  collectEvents,
  concurrencyProbe,
  describeEvent,
  hangingStep,
  MODES,
  runVia,
} from '../test/run-every-way.js';
import { BaseRunnable } from './base-runnable.js';
import { OrchestrationError } from './errors.js';
import { runnable } from './runnable-fn.js';
import type { ExecutionContext, Runnable } from './runnable.js';
import type { RunEvent } from './run-event.js';
import { sequence } from './sequence.js';

const add = (k: number) => runnable(`add${k}`, (x: number) => x + k);

describe('sequence', () => {
  it.each(MODES)('feeds each output to the next step (%s)', async (mode) => {
    const seq = sequence(
      runnable('parse', (t: string) => Number(t)),
      runnable('double', async (n: number) => n * 2),
      runnable('label', (n: number) => ok(`=${n}`)),
    );
    expect((await runVia(mode, seq, '21'))._unsafeUnwrap()).toBe('=42');
  });

  it.each(MODES)('stops at a thrown error and keeps it as cause (%s)', async (mode) => {
    const ran: string[] = [];
    const boom = new Error('boom');
    const seq = sequence(
      runnable('a', (x: number) => (ran.push('a'), x)),
      runnable('b', (): number => {
        ran.push('b');
        throw boom;
      }),
      runnable('c', (x: number) => (ran.push('c'), x)),
    );
    const e = (await runVia(mode, seq, 1))._unsafeUnwrapErr();
    expect(e.code).toBe('execution_failed');
    expect(e.op).toBe('b');
    expect(e.cause).toBe(boom);
    expect(ran).toEqual(['a', 'b']);
  });

  it.each(MODES)('stops at an Err (%s)', async (mode) => {
    const seq = sequence(
      add(1),
      runnable('check', (x: number) =>
        x > 1 ? ok(x) : err(new OrchestrationError('invalid_input', 'too small')),
      ),
      add(1),
    );
    expect((await runVia(mode, seq, 0))._unsafeUnwrapErr().code).toBe('invalid_input');
    expect((await runVia(mode, seq, 5))._unsafeUnwrap()).toBe(7);
  });

  it.each(MODES)('times out with code timeout and aborts the running step (%s)', async (mode) => {
    const hang = hangingStep();
    const e = (
      await runVia(mode, sequence(add(1), hang.step), 1, { timeoutMs: 20 })
    )._unsafeUnwrapErr();
    expect(e.code).toBe('timeout');
    expect(hang.aborted()).toBe(true);
  });

  it.each(MODES)(
    'aborts mid-run: the running step sees its signal, later steps do not run (%s)',
    async (mode) => {
      const hang = hangingStep();
      let after = false;
      const seq = sequence(
        add(1),
        hang.step,
        runnable('after', () => (after = true)),
      );
      const controller = new AbortController();
      const pending = runVia(mode, seq, 1, { signal: controller.signal });
      await hang.started;
      controller.abort();
      expect((await pending)._unsafeUnwrapErr().code).toBe('task_canceled');
      expect(hang.aborted()).toBe(true);
      expect(after).toBe(false);
    },
  );

  it('checks the signal between steps', async () => {
    const controller = new AbortController();
    let second = false;
    const seq = sequence(
      runnable('first', (x: number) => {
        controller.abort();
        return x;
      }),
      runnable('second', (x: number) => ((second = true), x)),
    );
    const e = (await seq.invoke(1, { signal: controller.signal }))._unsafeUnwrapErr();
    expect(e.code).toBe('task_canceled');
    expect(second).toBe(false);
  });

  it('unsubscribing mid-stream makes the running step signal fire', async () => {
    const hang = hangingStep();
    const subscription = sequence(add(1), hang.step).stream(1).subscribe();
    await hang.started;
    subscription.unsubscribe();
    expect(hang.aborted()).toBe(true);
  });

  it('streams step-start/step-end with indexes and the chunks of streaming steps', async () => {
    const words = runnable('words', async function* (text: string) {
      yield* text.split(' ');
    });
    const seq = sequence(
      runnable('trim', (t: string) => t.trim()),
      words,
      runnable('len', (t: string) => t.length),
    );
    const { events, error } = await collectEvents(seq.stream(' a b '));
    expect(error).toBeUndefined();
    expect(events.map(describeEvent)).toEqual([
      'run-start',
      'step-start:trim#0',
      'step-end:trim#0',
      'step-start:words#1',
      'chunk:words:a',
      'chunk:words:b',
      'step-end:words#1',
      'step-start:len#2',
      'step-end:len#2',
      'run-end',
    ]);
    const end = events.at(-1) as RunEvent<number>;
    expect(end.type === 'run-end' && end.output).toBe(2);
  });

  it('reports the failing step once in step-error, then errors the stream', async () => {
    const seq = sequence(
      add(1),
      runnable('bad', () => {
        throw new Error('x');
      }),
    );
    const { events, error } = await collectEvents(seq.stream(1));
    expect(error?.op).toBe('bad');
    expect(events.map(describeEvent)).toEqual([
      'run-start',
      'step-start:add1#0',
      'step-end:add1#0',
      'step-start:bad#1',
      'step-error:bad',
    ]);
  });

  it('gives children no event sink under invoke', async () => {
    const sinks: unknown[] = [];
    class Spy extends BaseRunnable<number, number> {
      readonly name = 'spy';
      override run(x: number, ctx: ExecutionContext): Promise<number> {
        sinks.push(ctx.sink);
        return Promise.resolve(x);
      }
    }
    await sequence(new Spy(), new Spy()).invoke(1);
    expect(sinks).toEqual([undefined, undefined]);
    await sequence(new Spy()).batch([1, 2]);
    expect(sinks).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('runs a Runnable not built on BaseRunnable: invoke under invoke, stream under stream', async () => {
    const calls: string[] = [];
    const foreign: Runnable<number, number> = {
      name: 'foreign',
      invoke: (n: number) => (calls.push('invoke'), okAsync(n * 3)),
      batch: () => okAsync([]),
      batchSettled: () => okAsync([]),
      stream: (n: number) =>
        new Observable<RunEvent<number>>((s) => {
          calls.push('stream');
          s.next({ type: 'run-start', runId: 'x', name: 'foreign', timestamp: 0 });
          s.next({
            type: 'chunk',
            runId: 'x',
            step: 'foreign',
            path: [],
            chunk: 'c',
            timestamp: 0,
          });
          s.next({
            type: 'run-end',
            runId: 'x',
            name: 'foreign',
            output: n * 3,
            durationMs: 0,
            timestamp: 0,
          });
          s.complete();
        }),
    };
    const seq = sequence(add(1), foreign);
    expect((await seq.invoke(1))._unsafeUnwrap()).toBe(6);
    const { events } = await collectEvents(seq.stream(1));
    expect(events.map(describeEvent)).toEqual([
      'run-start',
      'step-start:add1#0',
      'step-end:add1#0',
      'step-start:foreign#1',
      'chunk:foreign:c',
      'step-end:foreign#1',
      'run-end',
    ]);
    expect(calls).toEqual(['invoke', 'stream']);
  });

  it('respects maxConcurrency in batch', async () => {
    const probe = concurrencyProbe();
    const seq = sequence(add(0), probe.step);
    const out = await seq.batch([1, 2, 3, 4, 5, 6, 7], { maxConcurrency: 3 });
    expect(out._unsafeUnwrap()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(probe.max()).toBe(3);
  });

  it('rejects no steps and non-Runnable steps with invalid_config', () => {
    const none = [] as Runnable<number, number>[];
    expect(() => sequence(...none)).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    const fn = ((x: number) => x) as unknown as Runnable<number, number>;
    expect(() => sequence(add(1), fn)).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'steps.1' } }),
    );
  });

  it('matches function composition on random pipelines (property)', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), k: fc.integer({ min: -5, max: 5 }) }),
      fc.record({ kind: fc.constant('mul' as const), k: fc.integer({ min: -3, max: 3 }) }),
      fc.record({ kind: fc.constant('fail' as const), k: fc.constant(0) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 12 }),
        fc.integer(),
        fc.boolean(),
        async (ops, x, async) => {
          let ran = 0;
          const steps = ops.map((o, i) =>
            runnable(`s${i}`, (v: number) => {
              ran += 1;
              if (o.kind === 'fail') throw new Error(`fail at ${i}`);
              const out = o.kind === 'add' ? v + o.k : v * o.k;
              return async ? Promise.resolve(out) : out;
            }),
          );
          const failAt = ops.findIndex((o) => o.kind === 'fail');
          const result = await sequence(...steps).invoke(x);
          if (failAt === -1) {
            const expected = ops.reduce((v, o) => (o.kind === 'add' ? v + o.k : v * o.k), x);
            expect(result._unsafeUnwrap()).toBe(expected);
            expect(ran).toBe(ops.length);
          } else {
            expect(result._unsafeUnwrapErr().op).toBe(`s${failAt}`);
            expect(ran).toBe(failAt + 1);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
