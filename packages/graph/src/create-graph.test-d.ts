import { runnable, type Graph, type OrchestrationError, type Runnable } from '@baton/core';
import type { Result } from 'neverthrow';
import { describe, expectTypeOf, it } from 'vitest';
import { createGraph, withNodeCache, withNodeInput } from './index.js';

describe('graph types', () => {
  it('is a Runnable of its declared input and output', () => {
    const graph = createGraph<string, number>()._unsafeUnwrap();
    expectTypeOf(graph).toExtend<Runnable<string, number>>();
    expectTypeOf(createGraph()).toEqualTypeOf<Result<Graph, OrchestrationError>>();
  });

  it('accepts nodes of any input and output type, and typed routers', () => {
    const graph = createGraph<string, number>()._unsafeUnwrap();
    graph.addNode(
      'len',
      runnable('len', (s: string) => s.length),
    );
    graph.addNode(
      'obj',
      runnable('obj', (o: { a: number }) => o.a),
      withNodeInput((parents) => ({ a: Number(parents.len) })),
    );
    graph.addNode(
      'cached',
      runnable('cached', (n: number) => n),
      withNodeCache({ key: (n: number) => String(n) }),
    );
    graph.addConditionalEdges('len', (n: number) => (n > 3 ? 'obj' : ['cached']), [
      'obj',
      'cached',
    ]);
    // @ts-expect-error a node must be a Runnable, not a bare function
    graph.addNode('fn', (s: string) => s);
  });
});
