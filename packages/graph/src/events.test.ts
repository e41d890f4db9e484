import { OrchestrationError, runnable, type RunEvent } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { collect, graphOf, summary } from '../test/support.js';
import { withGraphFailFast, withNodeRetries, withNodeRetryPolicy } from './index.js';

describe('stream events', () => {
  it('emits run-start, step events for every node as it happens, chunks, and run-end', async () => {
    const g = graphOf<string>(
      {
        words: (s: string) => s.split(' '),
        shout: runnable('shout', async function* (words: string[]) {
          for (const w of words) yield w.toUpperCase();
        }),
        count: (words: string[]) => words.length,
      },
      [
        ['words', 'shout'],
        ['words', 'count'],
      ],
    );
    const { events, error } = await collect(g.stream('a b'));
    expect(error).toBeUndefined();
    const s = summary(events);
    expect(s[0]).toBe('run-start');
    expect(s.at(-1)).toBe('run-end');
    expect(s.filter((x) => x === 'chunk:shout')).toHaveLength(2);
    for (const node of ['words', 'shout', 'count']) {
      expect(s.indexOf(`step-start:${node}`)).toBeLessThan(s.indexOf(`step-end:${node}`));
    }
    expect(s.indexOf('step-end:words')).toBeLessThan(s.indexOf('step-start:shout'));
    const start = events.find((e) => e.type === 'step-start');
    expect(start).toMatchObject({ step: 'words', attempt: 1 });
    const end = events.at(-1) as RunEvent & { output: unknown };
    expect(end.output).toEqual({ shout: 'AB', count: 2 });
  });

  it('emits step-retry between attempts and a step-start for each attempt', async () => {
    let calls = 0;
    const g = graphOf(
      {
        flaky: [
          () => {
            calls++;
            if (calls < 3) throw new OrchestrationError('execution_failed', `try ${calls}`);
            return 'ok';
          },
          withNodeRetries(2),
          withNodeRetryPolicy({ initialDelayMs: 1, jitter: 0 }),
        ],
      },
      [],
    );
    const { events } = await collect(g.stream(1));
    expect(summary(events)).toEqual([
      'run-start',
      'step-start:flaky',
      'step-retry:flaky',
      'step-start:flaky',
      'step-retry:flaky',
      'step-start:flaky',
      'step-end:flaky',
      'run-end',
    ]);
    const retries = events.filter((e) => e.type === 'step-retry');
    expect(retries.map((e) => e.attempt)).toEqual([1, 2]);
    expect(retries.map((e) => e.error.message)).toEqual(['try 1', 'try 2']);
  });

  it('emits step-error for the failed node and its dependents, then errors the stream', async () => {
    const g = graphOf(
      {
        bad: () => {
          throw new OrchestrationError('invalid_input', 'bad input', { retryable: false });
        },
        next: (x: unknown) => x,
        fine: (x: unknown) => x,
      },
      [['bad', 'next']],
      withGraphFailFast(false),
    );
    const { events, error } = await collect(g.stream(1));
    expect((error as OrchestrationError).code).toBe('invalid_input');
    const s = summary(events);
    expect(s).toContain('step-error:bad');
    expect(s).toContain('step-error:next');
    expect(s).toContain('step-end:fine');
    expect(s.at(-1)).toBe('step-error:graph'); // the run's own error, reported once
    const next = events.find((e) => e.type === 'step-error' && e.step === 'next');
    expect(next).toMatchObject({ error: { code: 'dependency_failed' } });
  });
});
