import { runnable } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { createGraph } from './create-graph.js';
import { graphBindings } from './graph-bindings.js';
import { graphFromSpec } from './graph-from-spec.js';
import { namedRouter } from './named-router.js';

const classify = runnable('classify', (text: string) => (text.length > 3 ? 'long' : 'short'));
const echo = runnable('echo', (x: unknown) => x);

describe('graphBindings', () => {
  it('gives the spec and what its names stand for; graphFromSpec rebuilds the graph from them', async () => {
    const g = createGraph<string>()._unsafeUnwrap();
    g.addNode('classify', classify)._unsafeUnwrap();
    g.addNode('long', echo)._unsafeUnwrap();
    g.addNode('short', echo)._unsafeUnwrap();
    const byLength = namedRouter('by-length', (label: string) => label);
    g.addConditionalEdges('classify', byLength, ['long', 'short'])._unsafeUnwrap();
    const bindings = graphBindings(g)._unsafeUnwrap();
    expect(bindings.spec).toEqual(g.toSpec()._unsafeUnwrap());
    expect(bindings.runnables).toEqual({ classify, echo });
    expect(bindings.routers).toEqual({ 'by-length': byLength });
    const rebuilt = graphFromSpec(bindings.spec, bindings)._unsafeUnwrap();
    expect(await rebuilt.invoke('hello')).toEqual(await g.invoke('hello'));
  });

  it('fails for what is not a graph of this package, and like toSpec for a graph a spec cannot hold', () => {
    expect(graphBindings({ toSpec: () => null })._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid_config',
      message: expect.stringMatching(/expected a graph built by @baton\/graph/) as unknown,
    });
    const g = createGraph()._unsafeUnwrap();
    g.addNode('a', echo)._unsafeUnwrap();
    g.addNode('b', echo)._unsafeUnwrap();
    g.addConditionalEdges('a', () => 'b', ['b'])._unsafeUnwrap();
    expect(graphBindings(g)._unsafeUnwrapErr().code).toBe('invalid_state');
  });
});
