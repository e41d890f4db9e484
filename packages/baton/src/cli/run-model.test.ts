import { OrchestrationError, type RunEvent } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { RunModel } from './run-model.js';

const base = { runId: 'r' };
const start = (step: string, timestamp: number, attempt = 1): RunEvent => ({
  ...base,
  type: 'step-start',
  step,
  path: [step],
  attempt,
  timestamp,
});
const end = (step: string, timestamp: number, output: unknown = null): RunEvent => ({
  ...base,
  type: 'step-end',
  step,
  path: [step],
  output,
  durationMs: 1,
  timestamp,
});

describe('RunModel', () => {
  it('tracks tasks through running, retrying and done, with the model that ran them', () => {
    const model = new RunModel(['a', 'b'], 0);
    model.apply(start('a', 10));
    expect(model.tasks.get('a')).toMatchObject({ state: 'running', attempt: 1, startedAt: 10 });
    model.apply({
      ...base,
      type: 'step-retry',
      step: 'a',
      path: ['a'],
      attempt: 1,
      delayMs: 500,
      error: new OrchestrationError('execution_failed', 'flaky'),
      timestamp: 100,
    });
    expect(model.tasks.get('a')).toMatchObject({
      state: 'retrying',
      retryAt: 600,
      message: 'flaky',
    });
    model.apply(start('a', 600, 2));
    model.apply({
      ...base,
      type: 'chunk',
      step: 'call',
      path: ['a', 'call'],
      chunk: { kind: 'model', model: 'm1' },
      timestamp: 650,
    });
    model.apply(end('a', 700));
    expect(model.tasks.get('a')).toMatchObject({
      state: 'done',
      attempt: 2,
      durationMs: 690,
      model: 'm1',
    });
    expect(model.progress()).toEqual({
      total: 2,
      finished: 1,
      done: 1,
      failed: 0,
      skipped: 0,
      running: 0,
    });
    expect(model.etaMs(700)).toBe(700); // one task in 700 ms, one left
  });

  it('ignores steps that are not tasks: nested steps and the compiler nodes', () => {
    const model = new RunModel(['a'], 0);
    model.apply(start('$input', 1));
    model.apply({ ...base, type: 'step-start', step: 'inner', path: ['a', 'inner'], timestamp: 2 });
    expect([...model.tasks.keys()]).toEqual(['a']);
    expect(model.tasks.get('a')?.state).toBe('pending');
  });

  it('says a task skipped by its router was skipped by its when', () => {
    const model = new RunModel(['s', 't'], 0, new Map([['s', 'corpus.llm']]));
    model.apply({
      ...base,
      type: 'step-skip',
      step: 's',
      path: ['s'],
      reason: 'not picked by the router of "$when:s"',
      timestamp: 5,
    });
    model.apply({
      ...base,
      type: 'step-skip',
      step: 't',
      path: ['t'],
      reason: 'a parent was skipped',
      timestamp: 5,
    });
    expect(model.tasks.get('s')?.message).toBe('when corpus.llm is false');
    expect(model.tasks.get('t')?.message).toBe('a parent was skipped');
  });

  it('marks the tasks a fail-fast run-level error names as failed', () => {
    const model = new RunModel(['ok', 'boom'], 0);
    model.apply(start('boom', 1));
    const cause = new OrchestrationError('execution_failed', 'broke');
    model.apply({
      ...base,
      type: 'step-error',
      step: 'p',
      path: [],
      error: new OrchestrationError('execution_failed', 'p: node "boom" failed', {
        details: { node: 'boom', failures: { boom: cause } },
      }),
      timestamp: 9,
    });
    expect(model.tasks.get('boom')).toMatchObject({
      state: 'failed',
      message: 'broke',
      durationMs: 8,
    });
    expect(model.tasks.get('ok')?.state).toBe('pending');
  });

  it('restores tasks an earlier process finished; failed ones are decided again', () => {
    const model = new RunModel(['a', 'b', 'c'], 0);
    model.restore([
      {
        runId: 'r',
        node: 'a',
        status: 'succeeded',
        output: { model: 'm' },
        attempts: 1,
        finishedAt: 1,
      },
      { runId: 'r', node: 'b', status: 'failed', attempts: 2, finishedAt: 1 },
      { runId: 'r', node: '$input', status: 'succeeded', attempts: 1, finishedAt: 1 },
    ]);
    expect(model.tasks.get('a')).toMatchObject({ state: 'done', restored: true, model: 'm' });
    expect(model.tasks.get('b')?.state).toBe('pending');
    expect(model.etaMs(10)).toBeUndefined(); // nothing finished in this process yet
  });
});
