/** The scheduling rules on their own: outcomes in, decisions out, no executor. */
import { describe, expect, it } from 'vitest';
import {
  CONDITIONAL,
  createScheduleGraph,
  OPTIONAL,
  REQUIRED,
  type EdgeKind,
  type ScheduleGraph,
} from './schedule-graph.js';
import {
  DEPENDENCY_FAILED,
  FAILED,
  READY,
  RESTORE,
  Scheduler,
  SKIP_NODE,
  SKIPPED,
  SUCCEEDED,
} from './scheduler.js';
import { finishOutput } from './run-output.js';
import { TRIGGER_RULES, triggerRuleCode } from './trigger-rules.js';
import type { TriggerRule } from '@baton/core';

type EdgeDef = readonly [string, string, EdgeKind?];

function graphOf(
  names: readonly string[],
  edges: readonly EdgeDef[],
  rules: Readonly<Record<string, TriggerRule>> = {},
  extra: { finishes?: string[]; priority?: Record<string, number> } = {},
): ScheduleGraph {
  const at = (name: string): number => names.indexOf(name);
  return createScheduleGraph({
    names,
    edges: edges.map(([from, to, kind]) => ({
      from: at(from),
      to: at(to),
      kind: kind ?? REQUIRED,
    })),
    triggerRule: names.map((n) => triggerRuleCode(rules[n] ?? 'all_success')),
    priority: names.map((n) => extra.priority?.[n] ?? 2),
    finishes: extra.finishes?.map(at),
  })._unsafeUnwrap();
}

/** What a node does when it runs: succeed, fail, or succeed and route to targets. */
type Script = Readonly<Record<string, 'fail' | readonly string[]>>;

/**
 * Drives a scheduler the way an executor would, running each ready node at once (in the order
 * they became ready) and reporting what `script` says. Returns the decisions, in order.
 */
function drive(graph: ScheduleGraph, script: Script = {}, reused?: ReadonlySet<number>) {
  const s = new Scheduler(graph, reused);
  const name = (i: number): string => graph.names[i] as string;
  const log: string[] = [];
  const ready: number[] = [];
  s.start();
  for (;;) {
    for (let c = s.next(); c >= 0; c = s.next()) {
      if (s.decision === READY || s.decision === RESTORE) ready.push(c);
      if (s.decision === READY) log.push(`run ${name(c)}`);
      if (s.decision === RESTORE) log.push(`restore ${name(c)}`);
      if (s.decision === SKIP_NODE) log.push(`skip ${name(c)}: ${s.skipReason(c)}`);
      if (s.decision === DEPENDENCY_FAILED)
        log.push(
          `dependency_failed ${name(c)} <- ${name(s.dependencyOf(c))} (root ${name(s.rootOf(c))})`,
        );
    }
    const c = ready.shift();
    if (c === undefined) break;
    const does = script[name(c)];
    if (does === 'fail') {
      log.push(`fail ${name(c)}${s.fail(c) ? ' (dooms the run)' : ''}`);
    } else {
      s.succeed(
        c,
        does?.map((t) => graph.names.indexOf(t)),
      );
    }
  }
  return { log, scheduler: s };
}

describe('Scheduler: the default rule (all_success)', () => {
  it('runs a node once its required parents succeeded', () => {
    const g = graphOf(
      ['a', 'b', 'c'],
      [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ],
    );
    const { log, scheduler } = drive(g);
    expect(log).toEqual(['run a', 'run b', 'run c']);
    expect(scheduler.settled).toBe(3);
    expect(scheduler.rootFailure).toBe(-1);
  });

  it('fails dependents with the root cause, and the first failure that reaches a sink dooms', () => {
    const g = graphOf(
      ['a', 'b', 'c'],
      [
        ['a', 'b'],
        ['b', 'c'],
      ],
    );
    const { log, scheduler } = drive(g, { a: 'fail' });
    expect(log).toEqual([
      'run a',
      'fail a (dooms the run)',
      'dependency_failed b <- a (root a)',
      'dependency_failed c <- b (root a)',
    ]);
    expect(scheduler.rootFailure).toBe(0);
    expect(scheduler.failed).toBe(3);
  });

  it('skips what a router did not pick, and the skip spreads along required edges', () => {
    const g = graphOf(
      ['r', 'x', 'y', 'after'],
      [
        ['r', 'x', CONDITIONAL],
        ['r', 'y', CONDITIONAL],
        ['y', 'after'],
      ],
    );
    const { log } = drive(g, { r: ['x'] });
    expect(log).toEqual([
      'run r',
      'run x',
      'skip y: not picked by the router of "r"',
      'skip after: its required dependency "y" was skipped',
    ]);
  });

  it('lets an optional parent fail without failing or dooming its child', () => {
    const g = graphOf(
      ['a', 'b', 'join'],
      [
        ['a', 'join', OPTIONAL],
        ['b', 'join', OPTIONAL],
      ],
    );
    const { log, scheduler } = drive(g, { a: 'fail', b: 'fail' });
    expect(log).toEqual(['run a', 'run b', 'fail a', 'fail b', 'run join']);
    expect(scheduler.rootFailure).toBe(-1);
  });

  it('prefers dependency_failed over a skip', () => {
    const g = graphOf(
      ['r', 'x', 'bad', 'join'],
      [
        ['r', 'x', CONDITIONAL],
        ['r', 'bad'],
        ['x', 'join'],
        ['bad', 'join'],
      ],
    );
    const { log } = drive(g, { r: [], bad: 'fail' });
    expect(log.at(-1)).toBe('dependency_failed join <- bad (root bad)');
  });
});

describe('Scheduler: trigger rules', () => {
  /** r routes to `picked`; x and y join into j with `rule`; `fail` lists failing nodes. */
  function join(
    rule: TriggerRule,
    picked: string[],
    fail: string[] = [],
    kind: EdgeKind = REQUIRED,
  ) {
    const g = graphOf(
      ['r', 'x', 'y', 'j'],
      [
        ['r', 'x', CONDITIONAL],
        ['r', 'y', CONDITIONAL],
        ['x', 'j', kind],
        ['y', 'j', kind],
      ],
      { j: rule },
    );
    const script: Record<string, 'fail' | string[]> = { r: picked };
    for (const f of fail) script[f] = 'fail';
    const { log, scheduler } = drive(g, script);
    return { last: log.at(-1), state: scheduler.state[3], scheduler };
  }

  it('none_failed_min_one_success: runs after the branch taken, skipped branches are fine', () => {
    expect(join('none_failed_min_one_success', ['x']).last).toBe('run j');
  });

  it('none_failed_min_one_success: a branch taken that failed fails the join', () => {
    const { last, scheduler } = join('none_failed_min_one_success', ['x'], ['x']);
    expect(last).toBe('dependency_failed j <- x (root x)');
    expect(scheduler.rootFailure).toBe(1);
  });

  it('none_failed_min_one_success: nothing taken skips the join', () => {
    expect(join('none_failed_min_one_success', []).last).toBe(
      'skip j: trigger rule none_failed_min_one_success: none of its dependencies succeeded (they were skipped)',
    );
  });

  it('none_failed_min_one_success over optional edges: every branch failed fails the join', () => {
    const { last, scheduler } = join(
      'none_failed_min_one_success',
      ['x', 'y'],
      ['x', 'y'],
      OPTIONAL,
    );
    expect(last).toBe('dependency_failed j <- x (root x)');
    expect(scheduler.failedViaRequired(3)).toBe(false);
  });

  it('all_success (the default) skips a join after a router', () => {
    expect(join('all_success', ['x']).last).toBe('skip j: its required dependency "y" was skipped');
  });

  it('all_done runs whatever happened', () => {
    expect(join('all_done', ['x'], ['x']).last).toBe('run j');
    expect(join('all_done', []).last).toBe('run j');
  });

  it('all_failed runs only when every parent failed', () => {
    expect(join('all_failed', ['x', 'y'], ['x', 'y']).last).toBe('run j');
    expect(join('all_failed', ['x', 'y'], ['x']).last).toBe(
      'skip j: trigger rule all_failed: its dependency "y" did not fail',
    );
  });

  it('one_failed runs when a parent failed, and is skipped otherwise', () => {
    expect(join('one_failed', ['x', 'y'], ['y']).last).toBe('run j');
    expect(join('one_failed', ['x', 'y']).last).toBe(
      'skip j: trigger rule one_failed: none of its dependencies failed',
    );
  });

  it('one_success runs on one success, fails when none succeeded and one failed', () => {
    expect(join('one_success', ['x', 'y'], ['y']).last).toBe('run j');
    expect(join('one_success', ['x'], ['x']).last).toBe('dependency_failed j <- x (root x)');
    expect(join('one_success', []).last).toMatch(/^skip j/);
  });

  it('none_failed runs after skips, fails after a required failure', () => {
    expect(join('none_failed', []).last).toBe('run j');
    expect(join('none_failed', ['x'], ['x']).last).toBe('dependency_failed j <- x (root x)');
    expect(join('none_failed', ['x'], ['x'], OPTIONAL).last).toBe('run j');
  });

  it('none_skipped runs after failures, is skipped after a skip', () => {
    expect(join('none_skipped', ['x', 'y'], ['x', 'y']).last).toBe('run j');
    expect(join('none_skipped', ['x']).last).toBe(
      'skip j: its required dependency "y" was skipped',
    );
  });

  it('every rule is in the vocabulary', () => {
    expect(TRIGGER_RULES).toHaveLength(8);
    expect(triggerRuleCode('nope')).toBe(-1);
  });
});

describe('Scheduler: doom', () => {
  it('a failure absorbed by all_done does not doom the run', () => {
    const g = graphOf(['a', 'cleanup'], [['a', 'cleanup']], { cleanup: 'all_done' });
    const { log, scheduler } = drive(g, { a: 'fail' });
    expect(log).toEqual(['run a', 'fail a', 'run cleanup']);
    expect(scheduler.rootFailure).toBe(-1);
  });

  it('a one_success finish point whose parents all failed dooms the run when it fails', () => {
    const g = graphOf(
      ['a', 'b', 'end'],
      [
        ['a', 'end'],
        ['b', 'end'],
      ],
      { end: 'one_success' },
    );
    const { log, scheduler } = drive(g, { a: 'fail', b: 'fail' });
    expect(log).toEqual([
      'run a',
      'run b',
      'fail a',
      'fail b',
      'dependency_failed end <- a (root a)',
    ]);
    expect(scheduler.rootFailure).toBe(0);
    expect(scheduler.dooms).toBe(true);
  });
});

describe('Scheduler: resume', () => {
  it('hands back reused nodes to be restored instead of run', () => {
    const g = graphOf(['a', 'b'], [['a', 'b']]);
    expect(drive(g, {}, new Set([0])).log).toEqual(['restore a', 'run b']);
  });
});

describe('finishOutput', () => {
  it('is the only finish point output, or a record of those that succeeded', () => {
    const one = graphOf(['a', 'b'], [['a', 'b']]);
    const state = Uint8Array.of(SUCCEEDED, SUCCEEDED);
    expect(finishOutput(one, state, [1, 2])).toEqual({ ok: true, value: 2 });
    const two = graphOf(
      ['a', 'b', 'c'],
      [
        ['a', 'b'],
        ['a', 'c'],
      ],
    );
    expect(finishOutput(two, Uint8Array.of(SUCCEEDED, SKIPPED, SUCCEEDED), [1, 2, 3])).toEqual({
      ok: true,
      value: { c: 3 },
    });
    expect(finishOutput(two, Uint8Array.of(SUCCEEDED, SKIPPED, FAILED), [1])).toEqual({
      ok: false,
      finishes: ['b', 'c'],
    });
  });
});
