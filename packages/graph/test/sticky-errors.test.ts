/**
 * A structure call whose `Err` is dropped must never leave a graph that runs mis-wired: the
 * graph remembers every failed call, and every way to run or inspect it fails with all of them.
 */
import { lastOutput, runnable, type Graph, type OrchestrationError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { createGraph, withGraphCheckpointer, withNodePriority } from '../src/index.js';
import { RecordingStore } from './support.js';

const fetchPage = runnable('fetch', (url: string) => `<page of ${url}>`);
const summarize = runnable('summary', (page: string) => `summary of ${page}`);

/** The README's pipeline with a typo in one edge, every Result ignored as a new user does. */
function typoGraph(store = new RecordingStore()): Graph<string, string> {
  const graph = createGraph<string, string>(withGraphCheckpointer(store))._unsafeUnwrap();
  graph.addNode('fetch', fetchPage);
  graph.addNode('summary', summarize);
  graph.addEdge('fetch', 'sumary'); // returns an Err that nobody looks at
  return graph;
}

function expectTypo(error: OrchestrationError | undefined): void {
  expect(error?.code).toBe('not_found');
  expect(error?.message).toContain('"sumary"');
  expect(error?.details.reason).toBe('unknown-node');
  expect(error?.details.errors).toHaveLength(1);
}

describe('a structure call that failed is remembered', () => {
  it('invoke fails instead of feeding the graph input to the mistyped node', async () => {
    const result = await typoGraph().invoke('https://example.com');
    expect(result.isErr()).toBe(true);
    expectTypo(result.isErr() ? result.error : undefined);
  });

  it('every run method, validate, check and toSpec fail with it', async () => {
    const store = new RecordingStore();
    const graph = typoGraph(store);
    expectTypo(graph.validate()._unsafeUnwrapErr());
    expectTypo((await graph.batch(['a', 'b']))._unsafeUnwrapErr());
    const settled = await graph.batchSettled(['a']);
    expectTypo(settled._unsafeUnwrap()[0]?._unsafeUnwrapErr());
    expectTypo((await lastOutput(graph.stream('a')))._unsafeUnwrapErr());
    expectTypo(graph.start('a')._unsafeUnwrapErr());
    expectTypo((await graph.resume('any-run'))._unsafeUnwrapErr());
    expectTypo(graph.toSpec()._unsafeUnwrapErr());
    const health = await graph.check();
    expect(health.status).toBe('unhealthy');
    expect(health.details.reason).toBe('unknown-node');
    expect(store.log).toEqual([]); // nothing ran, nothing was written
  });

  it('lists every failed call, with the code of the first', async () => {
    const graph = createGraph()._unsafeUnwrap();
    graph.addNode('fetch', fetchPage);
    graph.addNode('fetch', summarize); // duplicate
    graph.addNode('summary', summarize, withNodePriority(9)); // bad option
    graph.addEdge('fetch', 'summary'); // fine, but summary does not exist
    graph.setFinishPoint('nope');
    const error = (await graph.invoke('x'))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.details.reason).toBe('duplicate-node');
    const errors = error.details.errors as OrchestrationError[];
    expect(errors.map((e) => e.code)).toEqual([
      'invalid_config',
      'invalid_config',
      'not_found',
      'not_found',
    ]);
    expect(errors[1]?.message).toContain('withNodePriority');
    for (const e of errors) expect(error.message).toContain(e.message);
    expect(error.cause).toBe(errors[0]);
  });

  it('also after the first run: a graph whose later change failed does not run again', async () => {
    const graph = createGraph<string, string>()._unsafeUnwrap();
    graph.addNode('fetch', fetchPage)._unsafeUnwrap();
    expect((await graph.invoke('a')).isOk()).toBe(true);
    graph.addNode('summary', summarize); // frozen: invalid_state, ignored
    const error = (await graph.invoke('a'))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_state');
    expect(error.details.reason).toBe('frozen');
  });

  it('a failed validation is not remembered: fixing the structure makes the graph run', async () => {
    const graph = createGraph<string, string>()._unsafeUnwrap();
    graph.addNode('fetch', fetchPage)._unsafeUnwrap();
    graph.addNode('summary', summarize)._unsafeUnwrap();
    graph.setEntryPoint('fetch')._unsafeUnwrap();
    expect(graph.validate()._unsafeUnwrapErr().details.reason).toBe('unreachable');
    graph.addEdge('fetch', 'summary')._unsafeUnwrap();
    expect((await graph.invoke('u'))._unsafeUnwrap()).toBe('summary of <page of u>');
  });
});
