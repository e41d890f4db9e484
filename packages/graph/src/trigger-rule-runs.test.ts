/** Trigger rules through a real graph: validation, and what a run does with each rule. */
import { runnable, type RunEndEvent } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { collect, graphOf, type NodeDef } from '../test/support.js';
import { createGraph as createDag, withGraphFailFast, withNodeTriggerRule } from './index.js';

const boom = (): never => {
  throw new Error('boom');
};

describe('withNodeTriggerRule', () => {
  it('rejects an unknown rule with invalid_config naming the option and the rules', () => {
    const g = createDag()._unsafeUnwrap();
    const bad = withNodeTriggerRule('all_sucess' as never);
    const error = g
      .addNode(
        'a',
        runnable('a', () => 1),
        bad,
      )
      ._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('withNodeTriggerRule');
    expect(error.message).toContain("'none_failed_min_one_success'");
  });

  it('all_done: a cleanup node runs after a failure, and the run reports what failed', async () => {
    const cleaned: unknown[] = [];
    const g = graphOf<number>(
      {
        work: boom,
        cleanup: [(input: unknown) => cleaned.push(input), withNodeTriggerRule('all_done')],
      },
      [['work', 'cleanup']],
    );
    const { events } = await collect(g.stream(1));
    expect(cleaned).toEqual([undefined]); // the failed parent has no output
    const end = events.at(-1) as RunEndEvent<unknown>;
    expect(end.type).toBe('run-end');
    expect(Object.keys(end.failures ?? {})).toEqual(['work']);
  });

  it('one_failed: an alert node runs only when something failed', async () => {
    const alerts: string[] = [];
    const alert: NodeDef = [(): number => alerts.push('alert'), withNodeTriggerRule('one_failed')];
    const ok = graphOf({ a: () => 1, b: () => 2, alert }, [
      ['a', 'alert'],
      ['b', 'alert'],
    ]);
    expect((await ok.invoke(0)).isErr()).toBe(true); // the only finish point was skipped
    expect(alerts).toEqual([]);
    const failing = graphOf({ a: () => 1, b: boom, alert }, [
      ['a', 'alert'],
      ['b', 'alert'],
    ]);
    expect((await failing.invoke(0))._unsafeUnwrap()).toBe(1);
    expect(alerts).toEqual(['alert']);
  });

  it('the default rule keeps its meaning: optional parents that all failed still let the join run', async () => {
    const g = graphOf(
      { a: boom, b: boom, join: (parents: object) => Object.keys(parents) },
      [
        ['a', 'join', false],
        ['b', 'join', false],
      ],
      withGraphFailFast(false),
    );
    const handle = g.start(0)._unsafeUnwrap();
    const report = (await handle.report)._unsafeUnwrap();
    expect(report.output).toEqual([]);
    expect(Object.keys(report.failures)).toEqual(['a', 'b']);
  });

  it('one_success: a finish point none of whose parents succeeded fails the run, fail fast or not', async () => {
    for (const failFast of [true, false]) {
      const g = graphOf(
        { a: boom, b: boom, end: [() => 'done', withNodeTriggerRule('one_success')] },
        [
          ['a', 'end'],
          ['b', 'end'],
        ],
        withGraphFailFast(failFast),
      );
      const error = (await g.invoke(0))._unsafeUnwrapErr();
      expect(error.details.node).toBe('a');
      const failures = error.details.failures as Record<string, { code: string }>;
      expect(failures.end?.code).toBe('dependency_failed');
    }
  });

  it('is typed: only the rule names compile', () => {
    // @ts-expect-error not a trigger rule
    expect(typeof withNodeTriggerRule('always')).toBe('function');
  });
});
