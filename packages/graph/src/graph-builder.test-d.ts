import { runnable, type Graph, type OrchestrationError, type Runnable } from '@baton/core';
import type { Result } from 'neverthrow';
import { describe, expectTypeOf, it } from 'vitest';
import { createGraphBuilder, withNodeRetries } from './index.js';

const fetchPage = runnable('fetch', (url: string) => `<page of ${url}>`);
const summary = runnable('summary', (page: string) => page.length);
const links = runnable('links', (page: string) => [page]);
const join = runnable('join', (found: { summary: number; links: string[] }) => found.summary);
const draft = runnable('draft', (found: Record<string, string>) => Object.keys(found).join());
const label = runnable('label', (n: number) => (n > 1 ? 'big' : 'small'));

describe('graph builder types', () => {
  it('infers the input from the entry node and the output from the single sink', () => {
    const built = createGraphBuilder()
      .node(fetchPage, withNodeRetries(2))
      .node(summary)
      .edge('fetch', 'summary')
      .build();
    expectTypeOf(built).toEqualTypeOf<Result<Graph<string, number>, OrchestrationError>>();
  });

  it('several sinks: a record by name; a route makes its keys optional', () => {
    const fanOut = createGraphBuilder()
      .node(fetchPage)
      .node(summary)
      .node(links)
      .edge('fetch', 'summary')
      .edge('fetch', 'links')
      .build();
    expectTypeOf(fanOut).toEqualTypeOf<
      Result<Graph<string, { summary: number; links: string[] }>, OrchestrationError>
    >();
    const routed = createGraphBuilder()
      .node(fetchPage)
      .node(summary)
      .node(links)
      .route('fetch', (page) => (page.length > 3 ? 'summary' : 'links'), ['summary', 'links'])
      .build();
    expectTypeOf(routed).toEqualTypeOf<
      Result<Graph<string, { summary?: number; links?: string[] }>, OrchestrationError>
    >();
  });

  it('explicit entry and finish points decide the types', () => {
    const built = createGraphBuilder()
      .node(summary)
      .node('again', summary)
      .node(label)
      .edge('summary', 'label')
      .entry('summary', 'again')
      .finish('summary')
      .build();
    expectTypeOf(built).toEqualTypeOf<Result<Graph<string, number>, OrchestrationError>>();
  });

  it('a join receives its parents by name', () => {
    createGraphBuilder()
      .node(fetchPage)
      .node(summary)
      .node(links)
      .node(join)
      .node(draft)
      .edge('fetch', 'summary')
      .edge('fetch', 'links')
      .edge('summary', 'join')
      .edge('links', 'join')
      .edge('fetch', 'draft');
  });

  it('an unknown node name is a compile error', () => {
    const b = createGraphBuilder().node(fetchPage).node(summary);
    // @ts-expect-error "sumary" is not a node
    b.edge('fetch', 'sumary');
    // @ts-expect-error "fech" is not a node
    b.edge('fech', 'summary');
    // @ts-expect-error route targets must be nodes
    b.route('fetch', () => 'summary', ['summary', 'nope']);
    // @ts-expect-error entry points must be nodes
    b.entry('nope');
    // @ts-expect-error finish points must be nodes
    b.finish('nope');
  });

  it('a parent output that does not fit the child input is a compile error', () => {
    const b = createGraphBuilder().node(summary).node(label).node(fetchPage);
    // @ts-expect-error string output of fetch does not fit label's number input
    b.edge('fetch', 'label');
    b.edge('summary', 'label');
    // @ts-expect-error a second parent makes label's input a record, which a number is not
    b.edge('summary', 'label').edge('fetch', 'label');
    // @ts-expect-error label's string output does not fit join's record of summary and links
    createGraphBuilder().node(label).node(join).edge('label', 'join');
    // @ts-expect-error the router reads a string output, summary's is a number
    b.route('summary', (text: string) => text, ['label']);
  });

  it('a duplicate or unnamed node is a compile error', () => {
    const b = createGraphBuilder().node(fetchPage);
    // @ts-expect-error a node named "fetch" exists
    b.node(fetchPage);
    // @ts-expect-error a node named "fetch" exists
    b.node('fetch', summary);
    const unnamed: Runnable<string, number> = summary;
    // @ts-expect-error its name is a plain string: give the node a name
    b.node(unnamed);
    b.node('unnamed', unnamed);
  });
});
