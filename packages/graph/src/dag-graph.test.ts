import { OrchestrationError, runnable } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { collect, graphOf, summary } from '../test/support.js';
import { createGraph, withGraphFailFast, withNodeInput } from './index.js';

const fail =
  (message: string, code: 'execution_failed' | 'invalid_input' = 'execution_failed') =>
  (): never => {
    throw new OrchestrationError(code, message, { retryable: false });
  };

describe('data flow', () => {
  it('gives entry nodes the graph input, one parent its output, several parents a record', async () => {
    const g = graphOf<number>(
      {
        a: (x: number) => x + 1,
        b: (x: number) => x * 10,
        c: (x: number) => x * 100,
        join: (r: Record<string, number>) => ({ ...r }),
      },
      [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'join'],
        ['c', 'join'],
      ],
    );
    expect((await g.invoke(1))._unsafeUnwrap()).toEqual({ b: 20, c: 200 });
  });

  it('gives every entry node the graph input and returns a record when there are several sinks', async () => {
    const g = graphOf<string>({ a: (s: string) => `a${s}`, b: (s: string) => `b${s}` }, []);
    expect((await g.invoke('!'))._unsafeUnwrap()).toEqual({ a: 'a!', b: 'b!' });
  });

  it('lets withNodeInput build the input from parents and the graph input', async () => {
    const g = graphOf<number>(
      {
        a: (x: number) => x + 1,
        b: [
          (x: { fromA: number; original: number }) => x,
          withNodeInput((parents, input) => ({ fromA: parents.a, original: input })),
        ],
      },
      [['a', 'b']],
    );
    expect((await g.invoke(5))._unsafeUnwrap()).toEqual({ fromA: 6, original: 5 });
  });

  it('fails the node when withNodeInput throws', async () => {
    const g = graphOf(
      {
        a: [
          (x: unknown) => x,
          withNodeInput(() => {
            throw new Error('bad input');
          }),
        ],
      },
      [],
    );
    const error = (await g.invoke(1))._unsafeUnwrapErr();
    expect(error.message).toContain('bad input');
    expect(error.details.node).toBe('a');
  });

  it('returns the declared finish points', async () => {
    const g = graphOf<number>(
      { a: (x: number) => x + 1, b: (x: number) => x * 2, c: (x: number) => -x },
      [
        ['a', 'b'],
        ['a', 'c'],
      ],
    );
    g.setFinishPoint(['a', 'c'])._unsafeUnwrap();
    expect((await g.invoke(1))._unsafeUnwrap()).toEqual({ a: 2, c: -2 });
    const single = graphOf<number, number>({ a: (x: number) => x + 1, b: (x: number) => x * 2 }, [
      ['a', 'b'],
    ]);
    single.setFinishPoint('a')._unsafeUnwrap();
    expect((await single.invoke(1))._unsafeUnwrap()).toBe(2);
  });

  it('runs a graph inside a graph', async () => {
    const inner = graphOf<number, number>({ x: (n: number) => n + 1, y: (n: number) => n * 2 }, [
      ['x', 'y'],
    ]);
    const outer = createGraph<number, number>()._unsafeUnwrap();
    outer.addNode('inner', inner)._unsafeUnwrap();
    outer
      .addNode(
        'after',
        runnable('after', (n: number) => n - 1),
      )
      ._unsafeUnwrap();
    outer.addEdge('inner', 'after')._unsafeUnwrap();
    expect((await outer.invoke(3))._unsafeUnwrap()).toBe(7);
  });

  it('runs again with fresh state, also concurrently', async () => {
    const g = graphOf<number>({ a: async (x: number) => x, b: (x: number) => x * 2 }, [['a', 'b']]);
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => g.invoke(n)));
    expect(results.map((r) => r._unsafeUnwrap())).toEqual([2, 4, 6, 8, 10, 12, 14]);
  });
});

describe('failures and optional dependencies', () => {
  it('fails dependents of a failed required dependency with dependency_failed naming it', async () => {
    const g = graphOf(
      { a: fail('boom'), b: (x: unknown) => x, c: (x: unknown) => x },
      [
        ['a', 'b'],
        ['b', 'c'],
      ],
      withGraphFailFast(false),
    );
    const error = (await g.invoke(1))._unsafeUnwrapErr();
    expect(error.code).toBe('execution_failed');
    expect(error.details.node).toBe('a');
    const failures = error.details.failures as Record<string, OrchestrationError>;
    expect(failures.b?.code).toBe('dependency_failed');
    expect(failures.b?.message).toContain('"a" failed');
    expect(failures.c?.code).toBe('dependency_failed');
    expect(failures.c?.details).toMatchObject({ dependency: 'b', root: 'a' });
  });

  it('runs a dependent without the input of a failed optional dependency, and the run succeeds', async () => {
    const g = graphOf<number>(
      {
        a: fail('flaky'),
        b: (x: number) => x + 1,
        join: (r: Record<string, unknown>) => ({ ...r }),
      },
      [
        ['a', 'join', false],
        ['b', 'join'],
      ],
    );
    expect((await g.invoke(1))._unsafeUnwrap()).toEqual({ b: 2 });
  });

  it('gives a single optional parent that failed as undefined', async () => {
    const g = graphOf({ a: fail('x'), b: (x: unknown) => x === undefined }, [['a', 'b', false]]);
    expect((await g.invoke(1))._unsafeUnwrap()).toBe(true);
  });

  it('fail fast: the first failure aborts running siblings and reports partial outputs', async () => {
    let siblingAborted = false;
    const g = graphOf(
      {
        ok: (x: unknown) => x,
        bad: async () => {
          await new Promise((r) => setTimeout(r, 5));
          throw new OrchestrationError('invalid_input', 'bad node', { retryable: false });
        },
        slow: runnable(
          'slow',
          (_: unknown, ctx) =>
            new Promise((_resolve, reject) => {
              ctx.signal.addEventListener('abort', () => {
                siblingAborted = true;
                reject(new Error('aborted'));
              });
            }),
        ),
      },
      [],
    );
    const error = (await g.invoke(1))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('node "bad" failed');
    expect(siblingAborted).toBe(true);
    expect(error.details.outputs).toEqual({ ok: 1 });
  });

  it('without fail fast runs every branch that can run and reports all failures', async () => {
    const g = graphOf(
      { a: fail('a broke'), b: fail('b broke'), c: async (x: unknown) => x, d: (x: unknown) => x },
      [['c', 'd']],
      withGraphFailFast(false),
    );
    const error = (await g.invoke(7))._unsafeUnwrapErr();
    expect(Object.keys(error.details.failures as object).sort()).toEqual(['a', 'b']);
    expect(error.details.outputs).toEqual({ c: 7, d: 7 });
    expect(error.message).toContain('1 more failed: "b"');
  });

  it('a failure absorbed by optional edges does not fail the run even with fail fast', async () => {
    const g = graphOf<number>({ a: fail('meh'), b: (x: number) => x, c: (x: unknown) => x }, [
      ['a', 'c', false],
      ['b', 'c'],
    ]);
    // The fan-in record has no prototype (see the README); it still compares like a plain object.
    expect((await g.invoke(3))._unsafeUnwrap()).toEqual({ b: 3 });
  });
});

describe('conditional edges', () => {
  function routed(router: (out: number) => string | string[] | Promise<string | string[]>) {
    const g = graphOf<number>(
      {
        start: (x: number) => x,
        small: (x: number) => `small ${x}`,
        big: (x: number) => `big ${x}`,
        after: (x: unknown) => x,
      },
      [['big', 'after']],
    );
    g.addConditionalEdges('start', router, ['small', 'big'])._unsafeUnwrap();
    return g;
  }

  it('runs the picked target and skips the rest, along required edges', async () => {
    const g = routed((x) => (x > 10 ? 'big' : 'small'));
    expect((await g.invoke(1))._unsafeUnwrap()).toEqual({ small: 'small 1' });
    const { events } = await collect(g.stream(1));
    expect(summary(events)).toContain('step-skip:big');
    expect(summary(events)).toContain('step-skip:after');
    const reasons = events.flatMap((e) =>
      e.type === 'step-skip' ? [`${e.step}: ${e.reason}`] : [],
    );
    expect(reasons).toEqual([
      'big: not picked by the router of "start"',
      'after: its required dependency "big" was skipped',
    ]);
  });

  it('supports async routers and several picks', async () => {
    const g = routed(async () => ['small', 'big']);
    expect((await g.invoke(20))._unsafeUnwrap()).toEqual({ small: 'small 20', after: 'big 20' });
  });

  it('fails the router node when the router picks an undeclared target', async () => {
    const g = routed(() => 'huge');
    const error = (await g.invoke(1))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain('"huge"');
    expect(error.message).toContain('addConditionalEdges');
  });

  it('fails when a router throws', async () => {
    const g = routed(() => {
      throw new Error('router broke');
    });
    expect((await g.invoke(1))._unsafeUnwrapErr().message).toContain('router broke');
  });

  it('joins branches with optional edges; required edges would skip the join', async () => {
    const g = graphOf<number>(
      {
        start: (x: number) => x,
        l: (x: number) => x - 1,
        r: (x: number) => x + 1,
        join: (x: Record<string, number>) => ({ ...x }),
      },
      [
        ['l', 'join', false],
        ['r', 'join', false],
      ],
    );
    g.addConditionalEdges('start', (x: number) => (x > 0 ? 'r' : 'l'), ['l', 'r'])._unsafeUnwrap();
    expect((await g.invoke(5))._unsafeUnwrap()).toEqual({ r: 6 });
    const strict = graphOf<number>(
      {
        start: (x: number) => x,
        l: (x: number) => x,
        r: (x: number) => x,
        join: (x: unknown) => x,
      },
      [
        ['l', 'join'],
        ['r', 'join'],
      ],
    );
    strict.addConditionalEdges('start', () => 'r', ['l', 'r'])._unsafeUnwrap();
    const error = (await strict.invoke(5))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain('required: false');
  });

  it('fails the targets of a router node that failed', async () => {
    const g = graphOf({ start: fail('no'), a: (x: unknown) => x }, [], withGraphFailFast(false));
    g.addConditionalEdges('start', () => 'a', ['a'])._unsafeUnwrap();
    const error = (await g.invoke(1))._unsafeUnwrapErr();
    expect((error.details.failures as Record<string, OrchestrationError>).a?.code).toBe(
      'dependency_failed',
    );
  });
});
