import { runnable, type Graph, type GraphProvider } from '@baton/core';
import { err } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { graphOf } from '../test/support.js';
import {
  createGraph,
  createGraphWithRegistry,
  defaultGraphRegistry,
  registerGraphProvider,
  withGraphDescription,
  withGraphMaxWorkers,
  withGraphName,
  withGraphProvider,
  withGraphQueueSize,
  withGraphRetries,
  withGraphTimeout,
  withNodeCache,
  withNodePriority,
  withNodeRetryPolicy,
  withNodeTimeout,
} from './index.js';

const id = runnable('id', (x: unknown) => x);

function fresh(): Graph {
  return createGraph(withGraphName('g'))._unsafeUnwrap();
}

describe('createGraph options', () => {
  it.each([
    ['withGraphMaxWorkers(0)', withGraphMaxWorkers(0), 'maxWorkers'],
    ['withGraphMaxWorkers(1.5)', withGraphMaxWorkers(1.5), 'maxWorkers'],
    ['withGraphQueueSize(-1)', withGraphQueueSize(-1), 'queueSize'],
    ['withGraphTimeout(-5)', withGraphTimeout(-5), 'timeoutMs'],
    ['withGraphRetries(-1)', withGraphRetries(-1), 'retries'],
    ['withGraphName("")', withGraphName(''), 'name'],
  ])('rejects %s with invalid_config naming the field', (_label, option, field) => {
    const error = createGraph(option)._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain(field);
  });

  it('accepts Infinity for maxWorkers and queueSize', () => {
    expect(createGraph(withGraphMaxWorkers(Infinity), withGraphQueueSize(Infinity)).isOk()).toBe(
      true,
    );
  });

  it('fails with not_found for an unknown provider, listing the registered ones', () => {
    const error = createGraph(withGraphProvider('nope'))._unsafeUnwrapErr();
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('dag');
  });

  it('uses a registered provider, and a separate registry does not see it', () => {
    const seen: string[] = [];
    const provider: GraphProvider = {
      createGraph: (config) => {
        seen.push(config.name);
        return err(new (class extends Error {})('x') as never);
      },
    };
    const registry = defaultGraphRegistry().clone();
    expect(registerGraphProvider('spy-provider', provider).isOk()).toBe(true);
    expect(registerGraphProvider('spy-provider', provider)._unsafeUnwrapErr().code).toBe(
      'invalid_config',
    );
    createGraph(withGraphProvider('spy-provider'), withGraphName('via-default'));
    expect(seen).toEqual(['via-default']);
    expect(
      createGraphWithRegistry(registry, withGraphProvider('spy-provider'))._unsafeUnwrapErr().code,
    ).toBe('not_found');
    defaultGraphRegistry().unregister('spy-provider');
  });
});

describe('structure errors', () => {
  it('rejects a duplicate node', () => {
    const g = fresh();
    g.addNode('a', id)._unsafeUnwrap();
    const error = g.addNode('a', id)._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.details.reason).toBe('duplicate-node');
  });

  it.each([[''], ['   '], ['__proto__'], [42]])('rejects the node name %j', (name) => {
    expect(
      fresh()
        .addNode(name as string, id)
        ._unsafeUnwrapErr().details.reason,
    ).toBe('invalid-name');
  });

  it('rejects something that is not a Runnable', () => {
    const error = fresh()
      .addNode('a', ((x: number) => x) as never)
      ._unsafeUnwrapErr();
    expect(error.details.reason).toBe('invalid-runnable');
    expect(error.message).toContain('runnable(name, fn)');
  });

  it('rejects invalid node options naming the option', () => {
    const g = fresh();
    expect(g.addNode('a', id, withNodePriority(4))._unsafeUnwrapErr().message).toContain(
      'withNodePriority',
    );
    expect(g.addNode('b', id, withNodeTimeout(-1))._unsafeUnwrapErr().message).toContain(
      'withNodeTimeout',
    );
    expect(
      g.addNode('c', id, withNodeRetryPolicy({ multiplier: 0 }))._unsafeUnwrapErr().message,
    ).toContain('withNodeRetryPolicy');
    expect(g.addNode('d', id, withNodeCache({ ttlMs: -1 }))._unsafeUnwrapErr().message).toContain(
      'ttlMs',
    );
  });

  it('rejects edges to unknown nodes with not_found', () => {
    const g = fresh();
    g.addNode('a', id)._unsafeUnwrap();
    const error = g.addEdge('a', 'ghost')._unsafeUnwrapErr();
    expect(error.code).toBe('not_found');
    expect(error.details.reason).toBe('unknown-node');
    expect(error.message).toContain('"ghost"');
    expect(g.addEdge('ghost', 'a')._unsafeUnwrapErr().code).toBe('not_found');
  });

  it('rejects an edge to itself and a duplicate edge', () => {
    const g = graphOf({ a: (x: unknown) => x, b: (x: unknown) => x }, [['a', 'b']]);
    expect(g.addEdge('a', 'a')._unsafeUnwrapErr().details.reason).toBe('self-edge');
    expect(g.addEdge('a', 'b', { required: false })._unsafeUnwrapErr().details.reason).toBe(
      'duplicate-edge',
    );
    expect(
      g.addEdge('b', 'a', { required: 'yes' as never })._unsafeUnwrapErr().details.reason,
    ).toBe('invalid-edge-options');
  });

  it('validates conditional edges when they are declared', () => {
    const g = graphOf({ a: (x: unknown) => x, b: (x: unknown) => x, c: (x: unknown) => x }, [
      ['a', 'b'],
    ]);
    expect(g.addConditionalEdges('a', 'b' as never, ['c'])._unsafeUnwrapErr().details.reason).toBe(
      'invalid-router',
    );
    expect(g.addConditionalEdges('a', () => 'c', [])._unsafeUnwrapErr().details.reason).toBe(
      'invalid-targets',
    );
    expect(
      g.addConditionalEdges('a', () => 'c', ['c', 'c'])._unsafeUnwrapErr().details.reason,
    ).toBe('invalid-targets');
    const undeclared = g.addConditionalEdges('a', () => 'x', ['x'])._unsafeUnwrapErr();
    expect(undeclared.code).toBe('not_found');
    expect(undeclared.message).toContain('"x"');
    expect(g.addConditionalEdges('a', () => 'b', ['b'])._unsafeUnwrapErr().details.reason).toBe(
      'duplicate-edge',
    );
    // a failed declaration adds none of its edges
    expect(g.addConditionalEdges('a', () => 'c', ['c', 'b']).isErr()).toBe(true);
    expect(g.toMermaid()).not.toContain('n0 == route ==> n2');
    g.addConditionalEdges('a', () => 'c', ['c'])._unsafeUnwrap();
    expect(g.addConditionalEdges('a', () => 'c', ['c'])._unsafeUnwrapErr().details.reason).toBe(
      'duplicate-router',
    );
  });

  it('rejects unknown or empty entry and finish points', () => {
    const g = graphOf({ a: (x: unknown) => x }, []);
    expect(g.setEntryPoint('zz')._unsafeUnwrapErr().code).toBe('not_found');
    expect(g.setFinishPoint([])._unsafeUnwrapErr().code).toBe('invalid_config');
  });

  it('returns the graph from structure calls, so they chain', () => {
    const g = fresh();
    const chained = g
      .addNode('a', id)
      .andThen((x) => x.addNode('b', id))
      .andThen((x) => x.addEdge('a', 'b'));
    expect(chained._unsafeUnwrap()).toBe(g);
  });
});

describe('validation before the first run', () => {
  it('names the cycle', async () => {
    const g = graphOf(
      { s: (x: unknown) => x, a: (x: unknown) => x, b: (x: unknown) => x, c: (x: unknown) => x },
      [
        ['s', 'a'],
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
      ],
    );
    const error = g.validate()._unsafeUnwrapErr();
    expect(error.details.reason).toBe('cycle');
    expect(error.details.cycle).toEqual(['a', 'b', 'c', 'a']);
    expect(error.message).toContain('a -> b -> c -> a');
    expect((await g.invoke(1))._unsafeUnwrapErr().details.reason).toBe('cycle');
  });

  it('finds a cycle through a conditional edge', () => {
    const g = graphOf({ s: (x: unknown) => x, a: (x: unknown) => x, b: (x: unknown) => x }, [
      ['s', 'a'],
      ['a', 'b'],
    ]);
    g.addConditionalEdges('b', () => 'a', ['a'])._unsafeUnwrap();
    expect(g.validate()._unsafeUnwrapErr().details.cycle).toEqual(['a', 'b', 'a']);
  });

  it('lists unreachable nodes', () => {
    const g = graphOf({ a: (x: unknown) => x, b: (x: unknown) => x, c: (x: unknown) => x }, [
      ['a', 'b'],
    ]);
    g.setEntryPoint('a')._unsafeUnwrap();
    const error = g.validate()._unsafeUnwrapErr();
    expect(error.details.reason).toBe('unreachable');
    expect(error.details.nodes).toEqual(['c']);
  });

  it('rejects an entry point with parents and an empty graph', () => {
    const g = graphOf({ a: (x: unknown) => x, b: (x: unknown) => x }, [['a', 'b']]);
    g.setEntryPoint(['a', 'b'])._unsafeUnwrap();
    expect(g.validate()._unsafeUnwrapErr().details.reason).toBe('entry-has-parents');
    expect(fresh().validate()._unsafeUnwrapErr().details.reason).toBe('empty-graph');
  });

  it('freezes the structure after the first run, but not after a failed validation', async () => {
    const g = graphOf({ a: (x: unknown) => x }, []);
    g.addNode('b', id)._unsafeUnwrap();
    g.setEntryPoint('a')._unsafeUnwrap();
    expect((await g.invoke(1)).isErr()).toBe(true); // b is unreachable: still editable
    g.addEdge('a', 'b')._unsafeUnwrap();
    expect((await g.invoke(1))._unsafeUnwrap()).toBe(1);
    for (const r of [
      g.addNode('c', id),
      g.addEdge('b', 'a'),
      g.setEntryPoint('a'),
      g.setFinishPoint('b'),
      g.addConditionalEdges('a', () => 'b', ['b']),
    ]) {
      const error = r._unsafeUnwrapErr();
      expect(error.code).toBe('invalid_state');
      expect(error.details.reason).toBe('frozen');
    }
  });

  it('reports its health', async () => {
    const bad = graphOf({ a: (x: unknown) => x, b: (x: unknown) => x }, [
      ['a', 'b'],
      ['b', 'a'],
    ]);
    const report = await bad.check();
    expect(report.status).toBe('unhealthy');
    expect(report.details.reason).toBe('cycle');
    const good = graphOf(
      { a: (x: unknown) => x, b: (x: unknown) => x },
      [['a', 'b']],
      withGraphName('ok'),
      withGraphDescription('two steps'),
    );
    const healthy = await good.check();
    expect(healthy.status).toBe('healthy');
    expect(healthy.component).toBe('graph:ok');
    expect(healthy.details).toMatchObject({
      description: 'two steps',
      nodes: 2,
      edges: 1,
      maxWorkers: 5,
    });
  });
});
