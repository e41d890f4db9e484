/**
 * Failures are never silent: a join after a router fails when the branch taken failed, and a run
 * that succeeds although some nodes failed says so (run-end `failures`, `handle.report`).
 */
import { OrchestrationError, runnable, type Graph, type RunEndEvent } from '@baton/core';
import { describe, expect, it } from 'vitest';
import {
  createGraph,
  withGraphFailFast,
  withNodeTriggerRule,
  type GraphOption,
} from '../src/index.js';
import { collect } from './support.js';

type Ticket = { topic: 'billing' | 'tech'; text: string };

/** A chat model fed the wrong input: it fails on anything but a ticket. */
function model(name: string, fail: boolean) {
  return runnable(name, (input: unknown) => {
    if (fail || typeof input !== 'object' || input === null || !('text' in input))
      throw new OrchestrationError('execution_failed', `${name}: expected a ticket`);
    return `${name}: ${(input as Ticket).text}`;
  });
}

/**
 * classify (router) -> billing | tech -> handled. `recipe`: required edges into a join with
 * none_failed_min_one_success; `optional`: the old recipe, optional edges into a default join.
 */
function triage(
  recipe: 'rule' | 'optional',
  failing: readonly string[],
  ...options: GraphOption[]
): Graph {
  const g = createGraph(...options)._unsafeUnwrap();
  const classify = runnable('classify', (input: unknown) => {
    if (typeof input !== 'object' || input === null || !('topic' in input))
      throw new OrchestrationError('invalid_input', 'classify: expected a ticket');
    return input as Ticket;
  });
  g.addNode('classify', classify)._unsafeUnwrap();
  g.addNode('billing', model('billing', failing.includes('billing')))._unsafeUnwrap();
  g.addNode('tech', model('tech', failing.includes('tech')))._unsafeUnwrap();
  const handled = runnable('handled', (parents: Record<string, unknown>) => Object.keys(parents));
  if (recipe === 'rule')
    g.addNode(
      'handled',
      handled,
      withNodeTriggerRule('none_failed_min_one_success'),
    )._unsafeUnwrap();
  else g.addNode('handled', handled)._unsafeUnwrap();
  g.addConditionalEdges('classify', (t: Ticket) => t.topic, ['billing', 'tech'])._unsafeUnwrap();
  const edge = recipe === 'rule' ? undefined : { required: false };
  g.addEdge('billing', 'handled', edge)._unsafeUnwrap();
  g.addEdge('tech', 'handled', edge)._unsafeUnwrap();
  return g;
}

const ticket: Ticket = { topic: 'billing', text: 'refund please' };

describe('a join with none_failed_min_one_success after a router', () => {
  it('runs when the branches not taken were skipped', async () => {
    const out = await triage('rule', []).invoke(ticket);
    expect(out._unsafeUnwrap()).toEqual(['billing']);
  });

  it('fails the run when the branch taken failed, naming the branch', async () => {
    const error = (await triage('rule', ['billing']).invoke(ticket))._unsafeUnwrapErr();
    expect(error.details.node).toBe('billing');
    expect(error.message).toContain('billing');
  });

  it('fails the join with dependency_failed naming the branch (without fail fast)', async () => {
    const g = triage('rule', ['billing'], withGraphFailFast(false));
    const error = (await g.invoke(ticket))._unsafeUnwrapErr();
    const failures = error.details.failures as Record<string, OrchestrationError>;
    expect(Object.keys(failures)).toEqual(['billing', 'handled']);
    expect(failures.handled?.code).toBe('dependency_failed');
    expect(failures.handled?.details.dependency).toBe('billing');
    expect(failures.handled?.message).toContain('"billing"');
  });

  it('fails the run on a wrong graph input (every node fails)', async () => {
    const error = (await triage('rule', []).invoke('not a ticket'))._unsafeUnwrapErr();
    expect(error.details.node).toBe('classify');
    expect(error.code).toBe('invalid_input');
  });
});

describe('a run that succeeds although nodes failed says so', () => {
  it('lists the absorbed failures in run-end and in handle.report (all-failed optional join)', async () => {
    const g = triage('optional', ['billing', 'tech'], withGraphFailFast(false));
    const both = { topic: 'billing', text: 'x' } as Ticket;
    // The join keeps its meaning: it runs with what succeeded.
    expect((await g.invoke(both))._unsafeUnwrap()).toEqual([]);
    const { events } = await collect(g.stream(both));
    const end = events.at(-1) as RunEndEvent<unknown>;
    expect(end.type).toBe('run-end');
    expect(Object.keys(end.failures ?? {})).toEqual(['billing']);
    expect(end.failures?.billing?.message).toContain('expected a ticket');
    const report = (await g.start(both)._unsafeUnwrap().report)._unsafeUnwrap();
    expect(report.output).toEqual([]);
    expect(Object.keys(report.failures)).toEqual(['billing']);
  });

  it('lists every failure of a wrong graph input that the old recipe turned into Ok', async () => {
    const g = triage('optional', []);
    const handle = g.start('not a ticket')._unsafeUnwrap();
    const seen = collect(handle.events$);
    const report = (await handle.report)._unsafeUnwrap();
    expect(report.output).toEqual([]);
    expect(Object.keys(report.failures)).toEqual(['classify', 'billing', 'tech']);
    expect(report.failures.billing?.code).toBe('dependency_failed');
    const end = (await seen).events.at(-1) as RunEndEvent<unknown>;
    expect(Object.keys(end.failures ?? {})).toEqual(['classify', 'billing', 'tech']);
  });

  it('leaves failures out of run-end when no node failed', async () => {
    const { events } = await collect(triage('rule', []).stream(ticket));
    const end = events.at(-1) as RunEndEvent<unknown>;
    expect(end.type).toBe('run-end');
    expect('failures' in end).toBe(false);
    const report = (await triage('rule', []).start(ticket)._unsafeUnwrap().report)._unsafeUnwrap();
    expect(report).toEqual({ output: ['billing'], failures: {} });
  });

  it('a failed run reports its error through report too', async () => {
    const report = await triage('rule', ['billing']).start(ticket)._unsafeUnwrap().report;
    expect(report._unsafeUnwrapErr().details.node).toBe('billing');
  });
});
