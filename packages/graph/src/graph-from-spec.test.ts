import { createRegistry, runnable, type GraphSpec, type Runnable } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { withGraphCheckpointer } from './graph-options.js';
import {
  createGraphBuilder,
  graphFromSpec,
  namedRouter,
  withGraphMaxWorkers,
  withNodeCache,
  withNodeInput,
  withNodePure,
  withNodeRetryPolicy,
} from './index.js';
import { RecordingStore } from '../test/support.js';

const fetchPage = runnable('fetch', (url: string) => `<${url}>`);
const summary = runnable('summary', (page: string) => page.length);
const links = runnable('links', (page: string) => [page]);
const byLength = namedRouter('by-length', (page: string) =>
  page.length > 3 ? 'summary' : 'links',
);

function pages() {
  return createGraphBuilder()
    .node(fetchPage)
    .node(summary)
    .node(links)
    .route('fetch', byLength, ['summary', 'links'])
    .build(withGraphMaxWorkers(Infinity))
    ._unsafeUnwrap();
}

describe('toSpec', () => {
  it('describes nodes, edges, routers and settings as JSON-safe data', () => {
    const spec = pages().toSpec()._unsafeUnwrap();
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(spec).toMatchObject({
      version: 1,
      name: 'graph',
      settings: { maxWorkers: null, queueSize: null, parallel: true, failFast: true },
      nodes: [
        { name: 'fetch', runnable: 'fetch', priority: 2, timeoutMs: 0 },
        { name: 'summary', runnable: 'summary' },
        { name: 'links', runnable: 'links' },
      ],
      edges: [],
      conditionalEdges: [{ from: 'fetch', router: 'by-length', targets: ['summary', 'links'] }],
    });
    expect(spec.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('the fingerprint follows the structure, not the settings', () => {
    const a = pages().toSpec()._unsafeUnwrap();
    const b = createGraphBuilder()
      .node(fetchPage, withNodeRetryPolicy({ initialDelayMs: 5 }))
      .node(summary)
      .node(links)
      .route('fetch', byLength, ['summary', 'links'])
      .build()
      ._unsafeUnwrap()
      .toSpec()
      ._unsafeUnwrap();
    expect(b.fingerprint).toBe(a.fingerprint);
    const c = createGraphBuilder()
      .node(fetchPage)
      .node(summary)
      .edge('fetch', 'summary')
      .build()
      ._unsafeUnwrap()
      .toSpec()
      ._unsafeUnwrap();
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it('records pure nodes (withNodePure) in the spec and its fingerprint; graphFromSpec keeps them', async () => {
    const plain = pages().toSpec()._unsafeUnwrap();
    expect(plain.nodes.some((n) => 'pure' in n)).toBe(false);
    const pure = createGraphBuilder()
      .node(fetchPage)
      .node(summary, withNodePure())
      .node(links, withNodePure(false))
      .route('fetch', byLength, ['summary', 'links'])
      .build(withGraphMaxWorkers(Infinity))
      ._unsafeUnwrap()
      .toSpec()
      ._unsafeUnwrap();
    expect(pure.nodes.map((n) => n.pure)).toEqual([undefined, true, undefined]);
    expect(pure.fingerprint).not.toBe(plain.fingerprint);
    const runnables = { fetch: fetchPage, summary, links };
    const routers = { 'by-length': byLength };
    const rebuilt = graphFromSpec(pure, { runnables, routers })._unsafeUnwrap();
    expect(rebuilt.toSpec()._unsafeUnwrap()).toEqual(pure);
    // In-process a pure node runs as any other.
    expect((await rebuilt.invoke('long'))._unsafeUnwrap()).toEqual({ summary: 6 });
    const bad = { ...pure, nodes: pure.nodes.map((n) => ({ ...n, pure: false })) };
    expect(graphFromSpec(bad as never, { runnables, routers })._unsafeUnwrapErr().code).toBe(
      'invalid_config',
    );
    expect(
      createGraphBuilder()
        .node(summary, withNodePure('yes' as never))
        .build()
        ._unsafeUnwrapErr().message,
    ).toMatch(/withNodePure expects a boolean/);
  });

  it('fails with invalid_state naming each node whose functions a spec cannot hold', () => {
    const graph = createGraphBuilder()
      .node(fetchPage)
      .node(
        summary,
        withNodeInput((parents) => parents.fetch),
      )
      .node(links, withNodeCache({ key: (page: string) => page }))
      .route('fetch', () => ['summary', 'links'], ['summary', 'links'])
      .build()
      ._unsafeUnwrap();
    const error = graph.toSpec()._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_state');
    expect(error.details.reason).toBe('not-serialisable');
    expect(error.message).toContain('node "summary" builds its input with withNodeInput');
    expect(error.message).toContain('node "links" caches with its own key function');
    expect(error.message).toContain('the router of node "fetch" has no name');
    expect(error.details.problems).toHaveLength(3);
    expect(graph.toMermaid()).toContain('n0{"fetch"}'); // pictures need no names
  });

  it('fails for two different runnables under one name', () => {
    const other = runnable('summary', (page: string) => page);
    const graph = createGraphBuilder()
      .node(fetchPage)
      .node(summary)
      .node('copy', other)
      .edge('fetch', 'summary')
      .edge('fetch', 'copy')
      .build()
      ._unsafeUnwrap();
    expect(graph.toSpec()._unsafeUnwrapErr().message).toContain(
      'run different runnables both named "summary"',
    );
  });
});

describe('graphFromSpec', () => {
  const spec = (): GraphSpec => pages().toSpec()._unsafeUnwrap();
  const runnables: Record<string, Runnable<never>> = { fetch: fetchPage, summary, links };
  const routers = { 'by-length': byLength };

  it('rebuilds a graph that runs like the original, from a record or a Registry', async () => {
    const registry = createRegistry<Runnable<never>>('runnable', Object.entries(runnables));
    for (const source of [runnables, registry]) {
      const graph = graphFromSpec(spec(), { runnables: source, routers })._unsafeUnwrap();
      expect((await graph.invoke('long'))._unsafeUnwrap()).toEqual({ summary: 6 });
      expect(graph.toSpec()._unsafeUnwrap()).toEqual(spec());
    }
  });

  it('options add what a spec does not hold', async () => {
    const store = new RecordingStore();
    const graph = graphFromSpec(spec(), { runnables, routers }, withGraphCheckpointer(store));
    await graph._unsafeUnwrap().invoke('long', { runId: 'r1' });
    expect(store.runs.has('r1')).toBe(true);
  });

  it('lists every name nothing is registered under, and what is registered', () => {
    const error = graphFromSpec(spec(), { runnables: { fetch: fetchPage } })._unsafeUnwrapErr();
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('no runnable registered as "summary", "links"');
    expect(error.message).toContain('(registered: "fetch")');
    expect(error.message).toContain('no router registered as "by-length" (registered: none)');
  });

  it('answers a malformed spec with invalid_config naming the path', () => {
    const bad = (change: (s: Record<string, unknown>) => void) => {
      const s = JSON.parse(JSON.stringify(spec())) as Record<string, unknown>;
      change(s);
      return graphFromSpec(s, { runnables, routers })._unsafeUnwrapErr();
    };
    const priority = bad((s) => ((s.nodes as { priority: unknown }[])[1]!.priority = 'high'));
    expect(priority.code).toBe('invalid_config');
    expect(priority.message).toContain('nodes[1].priority');
    expect(priority.details.field).toBe('nodes[1].priority');
    const version = bad((s) => (s.version = 2));
    expect(version.code).toBe('invalid_config');
    expect(version.message).toContain('unsupported GraphSpec version 2');
    const edited = bad((s) => (s.conditionalEdges = []));
    expect(edited.message).toContain('fingerprint');
    for (const value of [null, 'spec', 42, []]) {
      expect(graphFromSpec(value, { runnables })._unsafeUnwrapErr().code).toBe('invalid_config');
    }
  });

  it('reports structure errors of the spec (an edge to an unknown node) all at once', () => {
    const s = { ...spec(), edges: [{ from: 'fetch', to: 'nope', required: true }] };
    const { fingerprint: _, ...unpinned } = s;
    const error = graphFromSpec(unpinned, { runnables, routers })._unsafeUnwrapErr();
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('"nope"');
  });
});
