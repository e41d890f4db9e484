import { OrchestrationError, type RunEvent } from '@baton/core';
import type { GraphEvent, GraphRunResult, TemporalGraphWorkflow } from '@baton/workflow-temporal';
import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import type { Reporter, RunOutcome } from '../reporter.js';
import type { RunModel } from '../run-model.js';
import { followTemporalRun } from './follow-temporal-run.js';

/** A workflow whose events query answers `batches` in turn, then the result. */
function fakeWorkflow(
  batches: (readonly GraphEvent[] | OrchestrationError)[],
  result: () => ResultAsync<GraphRunResult, OrchestrationError>,
): TemporalGraphWorkflow {
  let call = 0;
  return {
    events: () => {
      const next = batches[call++] ?? [];
      return next instanceof OrchestrationError ? errAsync(next) : okAsync(next);
    },
    getResult: result,
    cancel: () => okAsync(undefined),
  } as unknown as TemporalGraphWorkflow;
}

function recorder() {
  const events: RunEvent[] = [];
  const notes: string[] = [];
  let outcome: RunOutcome | undefined;
  let model: RunModel | undefined;
  const reporter: Reporter = {
    start: () => {},
    event: (e, m) => {
      events.push(e);
      model = m;
    },
    note: (n) => notes.push(n),
    finish: (o, m) => {
      outcome = o;
      model = m;
    },
  };
  return { reporter, events, notes, outcome: () => outcome, model: () => model };
}

const info = { runId: 'r1', pipeline: 'p', tasks: ['a', 'b'], store: 'Temporal x', resumed: false };
const ev = (seq: number, type: GraphEvent['type'], step: string, timestamp: number, extra = {}) =>
  ({ seq, type, step, timestamp, ...extra }) as GraphEvent;

async function follow(
  batches: (readonly GraphEvent[] | OrchestrationError)[],
  result: () => ResultAsync<GraphRunResult, OrchestrationError>,
) {
  const r = recorder();
  const code = await followTemporalRun({
    workflow: fakeWorkflow(batches, result),
    info,
    conditions: new Map([['b', 'input.go']]),
    reporter: r.reporter,
    noAnswer: 'no worker',
  });
  return { code, ...r };
}

describe('followTemporalRun', () => {
  it('turns the interpreter events into in-process RunEvents, in order, once each', async () => {
    const batches = [
      [ev(0, 'step-start', 'a', 1000), ev(1, 'step-end', 'a', 1250)],
      [
        ev(1, 'step-end', 'a', 1250),
        ev(2, 'step-skip', 'b', 1300, { reason: 'routed out by $when:b' }),
      ],
    ];
    const report = {
      output: { a: 1 },
      nodes: { a: 'succeeded', b: 'skipped' },
      failures: {},
      runs: 1,
    } as const;
    const r = await follow(batches, () => okAsync(report));
    expect(r.code).toBe(0);
    expect(r.events.map((e) => e.type)).toEqual([
      'run-start',
      'step-start',
      'step-end',
      'step-skip',
      'run-end',
    ]);
    expect(r.events[1]).toMatchObject({ step: 'a', path: ['a'], attempt: 1, timestamp: 1000 });
    expect(r.events[2]).toMatchObject({ step: 'a', durationMs: 250 });
    expect(r.events.at(-1)).toMatchObject({ type: 'run-end', output: { a: 1 } });
    expect(r.model()?.tasks.get('b')).toMatchObject({
      state: 'skipped',
      message: 'when input.go is false',
    });
    expect(r.outcome()).toMatchObject({ status: 'succeeded', output: { a: 1 } });
  });

  it("settles tasks whose events it did not see from the result's node outcomes", async () => {
    const report = {
      output: {},
      nodes: { a: 'succeeded', b: 'skipped' },
      failures: {},
      runs: 2,
    } as const;
    const r = await follow([], () => okAsync(report));
    expect(r.model()?.progress()).toMatchObject({ done: 1, skipped: 1, finished: 2 });
  });

  it('a failed run exits 1 with the in-process wording and a run-level step-error', async () => {
    const error = new OrchestrationError(
      'execution_failed',
      'p.getResult: p: node "a" failed: no',
      {
        op: 'p.getResult',
        details: {
          node: 'a',
          nodes: { a: 'failed' },
          failures: { a: new OrchestrationError('execution_failed', 'no') },
        },
      },
    );
    const r = await follow(
      [
        [
          ev(0, 'step-start', 'a', 1),
          ev(1, 'step-error', 'a', 2, { code: 'execution_failed', message: 'no' }),
        ],
      ],
      () => errAsync(error),
    );
    expect(r.code).toBe(1);
    expect(r.outcome()?.error?.message).toBe('p: node "a" failed: no');
    expect(r.outcome()?.error?.op).toBe('p');
    expect(r.events.at(-1)).toMatchObject({ type: 'step-error', path: [] });
    expect(r.events[2]).toMatchObject({
      type: 'step-error',
      path: ['a'],
      error: { code: 'execution_failed' },
    });
    expect(r.model()?.tasks.get('a')?.state).toBe('failed');
  });

  it('a canceled run exits 130', async () => {
    const canceled = new OrchestrationError('task_canceled', 'canceled', { op: 'p.getResult' });
    const r = await follow([], () => errAsync(canceled));
    expect(r.code).toBe(130);
    expect(r.outcome()?.status).toBe('canceled');
  });

  it('says once that no worker answers when the events query times out', async () => {
    const timeout = new OrchestrationError('timeout', 'no answer', { op: 'p.query' });
    const report = { output: {}, nodes: {}, failures: {}, runs: 1 } as const;
    // Both polls (one while running, one after the result) go unanswered.
    const r = await follow([timeout, timeout], () => okAsync(report));
    expect(r.code).toBe(0);
    expect(r.notes.filter((n) => n === 'no worker')).toHaveLength(1);
  });
});
