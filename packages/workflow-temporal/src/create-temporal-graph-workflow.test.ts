import { runnable, type GraphSpec } from '@baton/core';
import { createGraph, withGraphName, withNodeCache } from '@baton/graph';
import { describe, expect, it } from 'vitest';
import { createTemporalGraphWorkflow } from './create-temporal-graph-workflow.js';
import { withGraphInterpreter, withTemporalAddress } from './temporal-workflow-options.js';

const fetchText = runnable('fetchText', (url: string) => `text of ${url}`);
const upper = runnable('upper', (text: string) => text.toUpperCase());

function chain() {
  const g = createGraph<string, string>(withGraphName('chain'))._unsafeUnwrap();
  g.addNode('fetch', fetchText)._unsafeUnwrap();
  g.addNode('upper', upper)._unsafeUnwrap();
  g.addEdge('fetch', 'upper')._unsafeUnwrap();
  return g;
}

// A closed port: nothing here may reach a server.
const nowhere = withTemporalAddress('127.0.0.1:1');

describe('createTemporalGraphWorkflow (no server)', () => {
  it('takes a graph or its spec and names executions after the graph', () => {
    const fromGraph = createTemporalGraphWorkflow(chain(), nowhere)._unsafeUnwrap();
    const spec = chain().toSpec()._unsafeUnwrap();
    const fromSpec = createTemporalGraphWorkflow(
      JSON.parse(JSON.stringify(spec)) as GraphSpec,
      nowhere,
    )._unsafeUnwrap();
    expect(fromGraph.spec).toEqual(spec);
    expect(fromSpec.spec).toEqual(spec);
    expect(fromGraph.name).toBe('chain');
    expect(fromGraph.workflowType).toBe('batonGraph');
  });

  it('refuses bad graphs and specs up front with invalid_config naming the problem', () => {
    const message = (value: unknown, ...options: Parameters<typeof withGraphInterpreter>[]) =>
      createTemporalGraphWorkflow(
        value as GraphSpec,
        ...options.map((o) => withGraphInterpreter(...o)),
      )._unsafeUnwrapErr();
    expect(message(42)).toMatchObject({
      code: 'invalid_config',
      message: expect.stringMatching(/expected a Graph or a GraphSpec/) as unknown,
    });
    const spec = chain().toSpec()._unsafeUnwrap();
    const broken = {
      ...spec,
      edges: [...spec.edges, { from: 'upper', to: 'fetch', required: true }],
    };
    expect(message({ ...broken, fingerprint: undefined }).message).toMatch(/cycle/);
    expect(message({ ...spec, fingerprint: 'ffffffffffffffff' }).message).toMatch(/fingerprint/);
    const g = createGraph(withGraphName('cached'))._unsafeUnwrap();
    g.addNode('fetch', fetchText, withNodeCache({}))._unsafeUnwrap();
    expect(message(g).message).toMatch(/not supported on Temporal: node "fetch" caches its output/);
    expect(message(spec, [{ maxPendingActivities: 0 }]).message).toMatch(
      /maxPendingActivities must be >= 1/,
    );
    expect(message(spec, [{ continueAsNewAfterEvents: 60_000 }]).message).toMatch(/below 51,200/);
    expect(message(spec, [{ nope: 1 } as never]).message).toMatch(/withGraphInterpreter/);
  });

  it('refuses an input over the payload limit before reaching the server', async () => {
    const wf = createTemporalGraphWorkflow(
      chain(),
      nowhere,
      withGraphInterpreter({ maxPayloadBytes: 2_000 }),
    )._unsafeUnwrap();
    const error = (await wf.execute('x'.repeat(3_000)))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/over maxPayloadBytes \(2000\)/);
    await wf.close();
  });
});
