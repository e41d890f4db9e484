import { runnable } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { graphFromSpec, withNodeLoop, withNodeMap } from '../src/index.js';
import { graphOf } from './support.js';

const double = runnable('double', (n: number) => n * 2);
const grow = runnable('grow', (n: number) => n + 3);
function bigEnough(n: number): boolean {
  return n > 10;
}

function build(maxIterations = 5) {
  return graphOf<number[], number[]>(
    {
      each: [double, withNodeMap({ concurrency: Infinity, retries: 1, onItemError: 'skip' })],
      sum: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
      more: [grow, withNodeLoop({ until: bigEnough, maxIterations })],
    },
    [
      ['each', 'sum'],
      ['sum', 'more'],
    ],
  );
}

describe('map and loop nodes in a GraphSpec', () => {
  it('are described with their kind and settings, and graphFromSpec rebuilds them', async () => {
    const spec = build().toSpec()._unsafeUnwrap();
    const each = spec.nodes.find((n) => n.name === 'each');
    const more = spec.nodes.find((n) => n.name === 'more');
    expect(each).toMatchObject({
      kind: 'map',
      map: { concurrency: null, retries: 1, onItemError: 'skip' },
    });
    expect(more).toMatchObject({ kind: 'loop', loop: { until: 'bigEnough', maxIterations: 5 } });
    const rebuilt = graphFromSpec<number[], number>(JSON.parse(JSON.stringify(spec)), {
      runnables: {
        double,
        grow,
        sum: runnable('sum', (xs: number[]) => xs.reduce((a, b) => a + b, 0)),
      },
      conditions: { bigEnough },
    })._unsafeUnwrap();
    expect(rebuilt.toSpec()._unsafeUnwrap()).toEqual(spec);
    expect((await rebuilt.invoke([1, 2]))._unsafeUnwrap()).toBe(12);
  });

  it('the fingerprint covers the loop bound and the kind', () => {
    const a = build(5).toSpec()._unsafeUnwrap().fingerprint;
    const b = build(6).toSpec()._unsafeUnwrap().fingerprint;
    expect(a).not.toBe(b);
  });

  it('names a missing condition, refuses an unnamed one and a kind without settings', () => {
    const spec = build().toSpec()._unsafeUnwrap();
    const missing = graphFromSpec(spec, {
      runnables: { double, grow, sum: runnable('sum', () => 0) },
    })._unsafeUnwrapErr();
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain('no loop condition registered as "bigEnough"');
    const [unnamed] = [(n: number) => n > 1]; // an arrow in an array literal has no name
    const anonymous = graphOf<number, number>(
      { more: [grow, withNodeLoop({ until: unnamed })] },
      [],
    ).toSpec();
    expect(anonymous._unsafeUnwrapErr().details.reason).toBe('not-serialisable');
    expect(anonymous._unsafeUnwrapErr().message).toContain('anonymous function');
    const { fingerprint: _f, ...body } = spec;
    const broken = {
      ...body,
      nodes: body.nodes.map((n) => (n.name === 'each' ? { ...n, map: undefined } : n)),
    };
    const error = graphFromSpec(broken, { runnables: {} })._unsafeUnwrapErr();
    expect(error.details.field).toBe('nodes[0].kind');
  });
});
