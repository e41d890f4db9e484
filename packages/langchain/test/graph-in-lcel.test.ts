/** A Baton Graph used as a step of a LangChain LCEL sequence, through toLangChain. */
import { runnable, type StepContext } from '@baton/core';
import { createGraph } from '@baton/graph';
import type { Graph } from '@baton/core';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnableLambda } from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import { batonErrorOf, toLangChain } from '../src/index.js';
import { collect } from './support/collect.js';

interface Stats {
  readonly words: number;
  readonly upper: string;
}

/** text -> { words, upper } through two parallel branches and a join node. */
function statsGraph(started?: string[]): Graph<string, Stats> {
  const g = createGraph<string, Stats>()._unsafeUnwrap();
  const note = (name: string): void => {
    started?.push(name);
  };
  g.addNode(
    'count',
    runnable('count', (text: string) => (note('count'), text.split(' ').length)),
  )._unsafeUnwrap();
  g.addNode(
    'shout',
    runnable('shout', async function* (text: string) {
      note('shout');
      for (const word of text.split(' ')) yield word.toUpperCase();
    }),
  )._unsafeUnwrap();
  g.addNode(
    'join',
    runnable('join', (parts: { count: number; shout: string }) => ({
      words: parts.count,
      upper: parts.shout,
    })),
  )._unsafeUnwrap();
  g.addEdge('count', 'join')._unsafeUnwrap();
  g.addEdge('shout', 'join')._unsafeUnwrap();
  return g;
}

describe('toLangChain on a Graph', () => {
  it('runs a fan-out/fan-in graph as an LCEL step: prompt -> fake model -> parser -> graph', async () => {
    const prompt = ChatPromptTemplate.fromTemplate('tell me about {topic}');
    const model = new FakeListChatModel({ responses: ['bees make honey'] });
    const seq = prompt
      .pipe(model)
      .pipe(new StringOutputParser())
      .pipe(toLangChain(statsGraph()))
      .pipe(RunnableLambda.from((s: Stats) => `${String(s.words)}: ${s.upper}`));
    expect(await seq.invoke({ topic: 'bees' })).toBe('3: BEESMAKEHONEY');
  });

  it('batches runs of the same graph, keeping input order', async () => {
    const lc = toLangChain(statsGraph());
    expect(await lc.batch(['a b', 'c', 'd e f'])).toEqual([
      { words: 2, upper: 'AB' },
      { words: 1, upper: 'C' },
      { words: 3, upper: 'DEF' },
    ]);
  });

  it('streams the chunks of the streaming node', async () => {
    const chunks = await collect(await toLangChain(statsGraph()).stream('x y'));
    expect(chunks).toEqual(['X', 'Y']);
  });

  it("throws the failed node's error, with the graph's OrchestrationError on it", async () => {
    const g = statsGraph();
    const failing = createGraph<string>()._unsafeUnwrap();
    failing
      .addNode(
        'boom',
        runnable('boom', (): string => {
          throw new Error('kaput');
        }),
      )
      ._unsafeUnwrap();
    failing.addNode('inner', g)._unsafeUnwrap();
    failing.addEdge('boom', 'inner')._unsafeUnwrap();
    const error: unknown = await toLangChain(failing)
      .invoke('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'kaput' });
    expect(batonErrorOf(error)).toMatchObject({
      name: 'OrchestrationError',
      code: 'execution_failed',
    });
  });

  it("aborting LangChain's signal aborts the graph's running nodes", async () => {
    const signals: AbortSignal[] = [];
    const g = createGraph<string>()._unsafeUnwrap();
    for (const name of ['a', 'b']) {
      g.addNode(
        name,
        runnable(name, (_: string, ctx: StepContext) => {
          signals.push(ctx.signal);
          return new Promise<string>(() => undefined);
        }),
      )._unsafeUnwrap();
    }
    const controller = new AbortController();
    const pending = toLangChain(g).invoke('x', { signal: controller.signal });
    while (signals.length < 2) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(pending).rejects.toBeDefined();
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
  });
});
