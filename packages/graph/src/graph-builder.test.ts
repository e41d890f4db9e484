import { runnable, type OrchestrationError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { createGraphBuilder, withGraphName, withNodePriority, withNodeRetries } from './index.js';

const fetchPage = runnable('fetch', (url: string) => `<${url}>`);
const summary = runnable('summary', (page: string) => page.length);
const links = runnable('links', (page: string) => [page]);

describe('createGraphBuilder', () => {
  it('builds a runnable graph in one expression, nodes named after their runnables', async () => {
    const graph = createGraphBuilder()
      .node(fetchPage, withNodeRetries(1))
      .node(summary)
      .node('outline', links)
      .edge('fetch', 'summary')
      .edge('fetch', 'outline')
      .build(withGraphName('pages'));
    expect(graph.isOk()).toBe(true);
    if (graph.isErr()) return;
    expect(graph.value.name).toBe('pages');
    expect((await graph.value.invoke('u'))._unsafeUnwrap()).toEqual({
      summary: 3,
      outline: ['<u>'],
    });
  });

  it('routes, entry and finish points', async () => {
    const graph = createGraphBuilder()
      .node(fetchPage)
      .node(summary)
      .node(links)
      .route('fetch', (page) => (page.length > 3 ? 'summary' : 'links'), ['summary', 'links'])
      .entry('fetch')
      .finish('summary', 'links')
      .build()
      ._unsafeUnwrap();
    expect((await graph.invoke('long'))._unsafeUnwrap()).toEqual({ summary: 6 });
    expect((await graph.invoke('a'))._unsafeUnwrap()).toEqual({ links: ['<a>'] });
  });

  it('build reports every mistake at once', () => {
    const loose = createGraphBuilder() as unknown as {
      node(...args: unknown[]): typeof loose;
      edge(...args: unknown[]): typeof loose;
      build(): ReturnType<ReturnType<typeof createGraphBuilder>['build']>;
    };
    const built = loose
      .node(fetchPage)
      .node(fetchPage)
      .node('summary', summary, withNodePriority(7))
      .edge('fetch', 'sumary')
      .build();
    const error = built._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    const errors = error.details.errors as OrchestrationError[];
    expect(errors.map((e) => e.code)).toEqual(['invalid_config', 'invalid_config', 'not_found']);
    expect(error.message).toContain('"sumary"');
    expect(error.message).toContain('withNodePriority');
  });

  it('a builder is immutable: extending it twice gives two graphs', async () => {
    const base = createGraphBuilder().node(fetchPage);
    const a = base.node(summary).edge('fetch', 'summary').build()._unsafeUnwrap();
    const b = base.node(links).edge('fetch', 'links').build()._unsafeUnwrap();
    expect((await a.invoke('x'))._unsafeUnwrap()).toBe(3);
    expect((await b.invoke('x'))._unsafeUnwrap()).toEqual(['<x>']);
  });

  it('bad graph options fail build with invalid_config', () => {
    const built = createGraphBuilder().node(fetchPage).build(withGraphName(''));
    expect(built._unsafeUnwrapErr().code).toBe('invalid_config');
  });
});
