import { runnable, type StepContext } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { withGraphFailFast } from '../src/index.js';
import { deferred, graphOf, tick, within } from './support.js';

/** A node that runs until its signal fires, reporting that it saw the abort. */
function hanging(name: string, seen: string[]) {
  return runnable(name, (_: number, ctx: StepContext) => {
    return new Promise<number>((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        seen.push(name);
        reject(ctx.signal.reason as Error);
      });
    });
  });
}

describe('handle.cancelNode', () => {
  it("fires only that node's signal; it fails with task_canceled and an optional edge lets its dependent run", async () => {
    const seen: string[] = [];
    const other = deferred<number>();
    const graph = graphOf<number, Record<string, unknown>>(
      {
        slow: hanging('slow', seen),
        other: runnable('other', () => other.promise),
        after: (x: unknown) => ({ got: x ?? 'nothing' }),
      },
      [['slow', 'after', false]],
      withGraphFailFast(false),
    );
    const handle = graph.start(1)._unsafeUnwrap();
    await tick();
    expect(handle.cancelNode('slow').isOk()).toBe(true);
    other.resolve(7);
    const report = (await within(handle.report))._unsafeUnwrap();
    expect(seen).toEqual(['slow']);
    expect(report.output).toEqual({ other: 7, after: { got: 'nothing' } });
    expect(report.failures.slow?.code).toBe('task_canceled');
  });

  it('fails a required dependent with dependency_failed, and the run when it dooms it', async () => {
    const seen: string[] = [];
    const graph = graphOf<number, number>(
      { slow: hanging('slow', seen), after: (x: number) => x },
      [['slow', 'after']],
    );
    const handle = graph.start(1)._unsafeUnwrap();
    await tick();
    handle.cancelNode('slow')._unsafeUnwrap();
    const error = (await within(handle.result))._unsafeUnwrapErr();
    expect(error.code).toBe('task_canceled');
    expect(error.message).toContain('"slow"');
  });

  it('cancels a node that has not started: it never runs', async () => {
    const ran: string[] = [];
    const first = deferred<number>();
    const graph = graphOf<number, Record<string, unknown>>(
      {
        first: runnable('first', () => first.promise),
        second: (x: number) => (ran.push('second'), x),
        side: (x: number) => x + 1,
      },
      [
        ['first', 'second'],
        ['side', 'second', false],
      ],
    );
    const handle = graph.start(1)._unsafeUnwrap();
    expect(handle.cancelNode('second').isOk()).toBe(true); // before the run even began
    first.resolve(5);
    const error = (await within(handle.result))._unsafeUnwrapErr();
    expect(error.code).toBe('task_canceled');
    expect(ran).toEqual([]);
  });

  it('answers an unknown node with not_found and a settled node with invalid_state', async () => {
    const graph = graphOf<number, number>({ a: (x: number) => x, b: (x: number) => x }, [
      ['a', 'b'],
    ]);
    const handle = graph.start(1)._unsafeUnwrap();
    expect(handle.cancelNode('nope')._unsafeUnwrapErr().code).toBe('not_found');
    await handle.result;
    expect(handle.cancelNode('a')._unsafeUnwrapErr().code).toBe('invalid_state');
  });
});
