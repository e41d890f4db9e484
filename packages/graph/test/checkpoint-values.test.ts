import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnable, type CheckpointStore } from '@baton/core';
import { createFileCheckpointStore, withDirectory } from '@baton/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraph, withGraphCheckpointer, withGraphName } from '../src/index.js';

let dir = '';
let store: CheckpointStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-graph-values-'));
  store = createFileCheckpointStore(withDirectory(dir))._unsafeUnwrap();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Profile {
  readonly scores: Map<string, number>;
  readonly since: Date;
  readonly nickname: string | undefined;
}

describe('what a checkpointed graph stores comes back', () => {
  it('a node returning a Map: the resume after a failure gives its dependent a working Map', async () => {
    const ran: string[] = [];
    let failOnce = true;
    const graph = createGraph<string, string>(
      withGraphName('profile'),
      withGraphCheckpointer(store),
    )._unsafeUnwrap();
    graph
      .addNode(
        'load',
        runnable('load', (user: string): Profile => {
          ran.push('load');
          return { scores: new Map([[user, 42]]), since: new Date(1_000), nickname: undefined };
        }),
      )
      ._unsafeUnwrap();
    graph
      .addNode(
        'greet',
        runnable('greet', (p: Profile) => {
          ran.push('greet');
          if (failOnce) {
            failOnce = false;
            throw new Error('crashed before finishing');
          }
          return `${p.scores.get('ada')} since ${p.since.getTime()} (${'nickname' in p ? 'nickname kept' : 'nickname lost'})`;
        }),
      )
      ._unsafeUnwrap();
    graph.addEdge('load', 'greet')._unsafeUnwrap();

    expect((await graph.invoke('ada', { runId: 'map-story' })).isErr()).toBe(true);
    const handle = (await graph.resume('map-story'))._unsafeUnwrap();
    expect((await handle.result)._unsafeUnwrap()).toBe('42 since 1000 (nickname kept)');
    expect(ran).toEqual(['load', 'greet', 'greet']);
  });

  it('refuses a class instance when the node returns, naming the node and the path', async () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const ran: string[] = [];
    const graph = createGraph(
      withGraphName('shapes'),
      withGraphCheckpointer(store),
    )._unsafeUnwrap();
    graph
      .addNode(
        'shape',
        runnable('shape', () => ({ items: [new Point(1)] })),
      )
      ._unsafeUnwrap();
    graph
      .addNode(
        'after',
        runnable('after', () => ran.push('after')),
      )
      ._unsafeUnwrap();
    graph.addEdge('shape', 'after')._unsafeUnwrap();
    const result = await graph.invoke(null, { runId: 'refused' });
    const error = result._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('node "shape"');
    expect(error.message).toContain('output.items[0] is an instance of class Point');
    expect(ran).toEqual([]);
  });

  it('resume answers metadata that throws when read with a typed Err', async () => {
    const graph = createGraph(withGraphName('meta'), withGraphCheckpointer(store))._unsafeUnwrap();
    graph
      .addNode(
        'a',
        runnable('a', (x: number) => x + 1),
      )
      ._unsafeUnwrap();
    (await graph.invoke(1, { runId: 'meta-run' }))._unsafeUnwrap();
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys for you');
        },
      },
    );
    const resumed = await graph.resume('meta-run', { metadata: hostile });
    const error = resumed._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('metadata');
    expect(error.message).toContain('no keys for you');
  });
});
