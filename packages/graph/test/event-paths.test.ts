/**
 * Stream events carry the path of the nodes and steps they belong to, so the events of a step
 * inside a node (a chain, a sequence, a graph) can be told from the node's own events.
 */
import { createChain } from '@baton/chain';
import {
  parallel,
  runnable,
  sequence,
  withRetry,
  type Runnable,
  type RunEvent,
  type StepStartEvent,
} from '@baton/core';
import { ok, okAsync } from 'neverthrow';
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { withGraphFailFast } from '../src/index.js';
import { collect, graphOf } from './support.js';

type Tagged = Extract<RunEvent, { path: readonly string[] }>;

/** `type:path` of each step event (`run-start`/`run-end` have no path). */
function paths(events: readonly RunEvent[]): string[] {
  return events.filter((e): e is Tagged => 'path' in e).map((e) => `${e.type}:${e.path.join('/')}`);
}

describe('event paths', () => {
  it('a graph node is [node]; a step of a sequence run as node "answer" is [answer, step]', async () => {
    const answer = sequence(
      runnable('prompt', (q: string) => `Q: ${q}`),
      runnable('model', async function* (p: string) {
        yield p;
        yield '!';
      }),
    );
    const g = graphOf<string>({ answer, after: (s: string) => s.length }, [['answer', 'after']]);
    const { events, error } = await collect(g.stream('hi'));
    expect(error).toBeUndefined();
    expect(paths(events)).toEqual([
      'step-start:answer',
      'step-start:answer/prompt',
      'step-end:answer/prompt',
      'step-start:answer/model',
      'chunk:answer/model',
      'chunk:answer/model',
      'step-end:answer/model',
      'step-end:answer',
      'step-start:after',
      'step-end:after',
    ]);
  });

  it('a chain run as a node: its steps under the node; a top-level chain: [step]', async () => {
    const chain = createChain([
      runnable('prompt', (q: string) => `Q: ${q}`),
      runnable('model', (p: string) => p.toUpperCase()),
    ])._unsafeUnwrap();
    const g = graphOf<string>({ answer: chain }, []);
    const nested = await collect(g.stream('hi'));
    expect(nested.error).toBeUndefined();
    expect(paths(nested.events)).toEqual([
      'step-start:answer',
      'step-start:answer/prompt',
      'step-end:answer/prompt',
      'step-start:answer/model',
      'step-end:answer/model',
      'step-end:answer',
    ]);
    const top = await collect(chain.stream('hi'));
    expect(paths(top.events)).toEqual([
      'step-start:prompt',
      'step-end:prompt',
      'step-start:model',
      'step-end:model',
    ]);
  });

  it('a graph in a graph: the inner nodes are prefixed with the outer node', async () => {
    const inner = graphOf<number>({ a: (n: number) => n + 1, b: (n: number) => n * 2 }, [
      ['a', 'b'],
    ]);
    const outer = graphOf<number>({ pre: (n: number) => n, sub: inner }, [['pre', 'sub']]);
    const { events, error } = await collect(outer.stream(1));
    expect(error).toBeUndefined();
    expect(paths(events)).toEqual([
      'step-start:pre',
      'step-end:pre',
      'step-start:sub',
      'step-start:sub/a',
      'step-end:sub/a',
      'step-start:sub/b',
      'step-end:sub/b',
      'step-end:sub',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', output: 4 });
  });

  it('a node "classify" wrapping a step "classify": two step-starts, told apart by path', async () => {
    const classify = runnable('classify', (s: string) => (s.includes('?') ? 'question' : 'other'));
    const g = graphOf<string>({ classify: sequence(classify) }, []);
    const { events } = await collect(g.stream('why?'));
    const starts = events.filter((e): e is StepStartEvent => e.type === 'step-start');
    expect(starts.map((e) => [e.step, e.path])).toEqual([
      ['classify', ['classify']],
      ['classify', ['classify', 'classify']],
    ]);
  });

  it('parallel branches, retries and failures inside a node carry the node path', async () => {
    let calls = 0;
    const flaky = withRetry(
      runnable('flaky', () => {
        if (++calls === 1) throw new Error('once');
        return 1;
      }),
      { maxAttempts: 2, initialDelayMs: 0, retryOn: () => true },
    );
    const boom = runnable('boom', () => {
      throw new Error('no');
    });
    const g = graphOf<number>(
      {
        fan: parallel({ left: flaky, right: runnable('right', (x: number) => x) }),
        bad: sequence(boom),
      },
      [],
      withGraphFailFast(false),
    );
    const { events } = await collect(g.stream(1));
    const got = paths(events);
    expect(got).toContain('step-retry:fan/left');
    expect(got).toContain('step-end:fan/left');
    expect(got).toContain('step-end:fan/right');
    // An error is reported once, by the innermost step that failed with it.
    expect(got).toContain('step-error:bad/boom');
  });

  it("a foreign Runnable's streamed events are put under the node's path", async () => {
    const foreign: Runnable<number, number> = {
      name: 'foreign',
      invoke: (n: number) => okAsync(n),
      batch: (inputs) => okAsync([...inputs]),
      batchSettled: (inputs) => okAsync(inputs.map((n) => ok(n))),
      stream: (n: number) =>
        new Observable<RunEvent<number>>((s) => {
          s.next({ type: 'run-start', runId: 'x', name: 'foreign', timestamp: 0 });
          // An event from another library, without a path: it belongs to the foreign run itself.
          s.next({ type: 'chunk', runId: 'x', step: 'foreign', chunk: n, timestamp: 0 } as never);
          s.next({ type: 'step-start', runId: 'x', step: 'inner', path: ['inner'], timestamp: 0 });
          s.next({
            type: 'run-end',
            runId: 'x',
            name: 'foreign',
            output: n,
            durationMs: 0,
            timestamp: 0,
          });
          s.complete();
        }),
    };
    const g = graphOf<number>({ node: foreign }, []);
    const { events } = await collect(g.stream(1));
    expect(paths(events)).toEqual([
      'step-start:node',
      'chunk:node',
      'step-start:node/inner',
      'step-end:node',
    ]);
  });

  it('a runnable streamed on its own: its chunks have the empty path (the run itself)', async () => {
    const words = runnable('words', async function* () {
      yield 'a';
    });
    const { events } = await collect(words.stream(undefined));
    expect(paths(events)).toEqual(['chunk:']);
  });
});
