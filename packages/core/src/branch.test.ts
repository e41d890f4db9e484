import { describe, expect, it } from 'vitest';
import {
  collectEvents,
  concurrencyProbe,
  describeEvent,
  hangingStep,
  MODES,
  runVia,
} from '../test/run-every-way.js';
import { branch } from './branch.js';
import { runnable } from './runnable-fn.js';
import type { Runnable } from './runnable.js';

const label = (name: string) => runnable(name, (n: number) => `${name}:${n}`);

describe('branch', () => {
  const route = branch(
    [
      [(n: number) => n < 0, label('negative')],
      [async (n: number) => n === 0, label('zero')],
      [(n: number) => n < 10, label('small')],
    ],
    label('large'),
  );

  it.each(MODES)(
    'runs the first case whose predicate holds, else the default (%s)',
    async (mode) => {
      expect((await runVia(mode, route, -1))._unsafeUnwrap()).toBe('negative:-1');
      expect((await runVia(mode, route, 0))._unsafeUnwrap()).toBe('zero:0');
      expect((await runVia(mode, route, 5))._unsafeUnwrap()).toBe('small:5');
      expect((await runVia(mode, route, 50))._unsafeUnwrap()).toBe('large:50');
    },
  );

  it('evaluates predicates in order and stops at the first that holds', async () => {
    const seen: number[] = [];
    const r = branch(
      [
        [() => (seen.push(0), false), label('a')],
        [() => (seen.push(1), true), label('b')],
        [() => (seen.push(2), true), label('c')],
      ],
      label('d'),
    );
    expect((await r.invoke(1))._unsafeUnwrap()).toBe('b:1');
    expect(seen).toEqual([0, 1]);
  });

  it.each(MODES)('fails when a predicate throws (%s)', async (mode) => {
    const r = branch(
      [
        [
          () => {
            throw new Error('bad predicate');
          },
          label('a'),
        ],
      ],
      label('b'),
    );
    const e = (await runVia(mode, r, 1))._unsafeUnwrapErr();
    expect(e.code).toBe('execution_failed');
    expect(e.message).toContain('predicate #0');
  });

  it('aborting while the chosen runnable runs fires its signal', async () => {
    const hang = hangingStep();
    const controller = new AbortController();
    const pending = branch([], hang.step).invoke(0, { signal: controller.signal });
    await hang.started;
    controller.abort();
    expect((await pending)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(hang.aborted()).toBe(true);
  });

  it('streams step events for the chosen runnable with its case index', async () => {
    const { events } = await collectEvents(route.stream(50));
    expect(events.map(describeEvent)).toEqual([
      'run-start',
      'step-start:large#3',
      'step-end:large#3',
      'run-end',
    ]);
    const failing = branch(
      [[() => true, runnable('bad', () => Promise.reject(new Error('x')))]],
      label('x'),
    );
    const failed = await collectEvents(failing.stream(1));
    expect(failed.events.map(describeEvent)).toEqual([
      'run-start',
      'step-start:bad#0',
      'step-error:bad',
    ]);
    expect(failed.error?.op).toBe('bad');
  });

  it('respects maxConcurrency in batch', async () => {
    const probe = concurrencyProbe();
    await branch([], probe.step).batch([1, 2, 3, 4], { maxConcurrency: 2 });
    expect(probe.max()).toBe(2);
  });

  it('rejects malformed cases with invalid_config naming them', () => {
    const bad = [[() => true]] as unknown as [(n: number) => boolean, Runnable<number, string>][];
    expect(() => branch(bad, label('x'))).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'cases.0' } }),
    );
    const notRunnable = [[() => true, 'x']] as unknown as [
      (n: number) => boolean,
      Runnable<number, string>,
    ][];
    expect(() => branch(notRunnable, label('x'))).toThrow(
      expect.objectContaining({ details: { field: 'cases.0.1' } }),
    );
    expect(() => branch([], null as unknown as Runnable<number, string>)).toThrow(
      expect.objectContaining({ details: { field: 'otherwise' } }),
    );
  });
});
