import {
  parallel,
  runnable,
  sequence,
  withRetry,
  withTracerProvider,
  type Runnable,
  type RunEvent,
  type RunOptions,
} from '@baton/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { okAsync, type ResultAsync } from 'neverthrow';
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createGraph, withGraphName } from '../src/index.js';
import { collect, graphOf, summary } from './support.js';

/** A Runnable that is not built on BaseRunnable, as another library would provide. */
function foreign(name: string, fn: (x: number) => number): Runnable<number, number> {
  return {
    name,
    invoke: (input: number, _options?: RunOptions): ResultAsync<number, never> =>
      okAsync(fn(input)),
    batch: (inputs) => okAsync(inputs.map(fn)),
    batchSettled: () => {
      throw new Error('unused');
    },
    stream: () => new Observable<RunEvent<number>>(),
  };
}

describe('graphs composed with core Runnables', () => {
  it('runs inside sequence(), with composites and foreign Runnables as nodes', async () => {
    const g = createGraph<number>(withGraphName('inner'))._unsafeUnwrap();
    g.addNode(
      'both',
      parallel({
        double: runnable('double', (x: number) => x * 2),
        square: runnable('square', (x: number) => x * x),
      }),
    )._unsafeUnwrap();
    g.addNode(
      'ext',
      foreign('ext', (x) => x + 100),
    )._unsafeUnwrap();
    g.addNode('retried', withRetry(runnable('r', (x: number) => x - 1)))._unsafeUnwrap();
    g.addEdge('ext', 'retried')._unsafeUnwrap();
    const pipeline = sequence(
      runnable('prep', (s: string) => Number(s)),
      g,
      runnable('post', (out: unknown) => JSON.stringify(out)),
    );
    expect((await pipeline.invoke('3'))._unsafeUnwrap()).toBe(
      '{"both":{"double":6,"square":9},"retried":102}',
    );
  });

  it('streams the events of its nodes inside an enclosing stream', async () => {
    const g = graphOf<number, number>(
      { a: (x: number) => x + 1, b: (x: number) => x * 2 },
      [['a', 'b']],
      withGraphName('inner'),
    );
    const pipeline = sequence(
      runnable('prep', (x: number) => x),
      g,
    );
    const { events } = await collect(pipeline.stream(1));
    expect(summary(events)).toEqual([
      'run-start',
      'step-start:prep',
      'step-end:prep',
      'step-start:inner',
      'step-start:a',
      'step-end:a',
      'step-start:b',
      'step-end:b',
      'step-end:inner',
      'run-end',
    ]);
  });

  it('nests a graph span under the node span of an outer graph', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const inner = graphOf<number, number>(
      { x: async (n: number) => n + 1 },
      [],
      withGraphName('inner'),
      withTracerProvider(provider),
    );
    const outer = createGraph<number, number>(
      withGraphName('outer'),
      withTracerProvider(provider),
    )._unsafeUnwrap();
    outer.addNode('sub', inner)._unsafeUnwrap();
    expect((await outer.invoke(1))._unsafeUnwrap()).toBe(2);
    const spans = exporter.getFinishedSpans();
    const byName = (n: string, attr: string) =>
      spans.find((s) => s.name === n && s.attributes['baton.name'] === attr);
    const outerSpan = byName('baton.graph.invoke', 'outer');
    const subNode = spans.find((s) => s.attributes['baton.node.name'] === 'sub');
    const innerSpan = byName('baton.graph.invoke', 'inner');
    const xNode = spans.find((s) => s.attributes['baton.node.name'] === 'x');
    expect(subNode?.parentSpanContext?.spanId).toBe(outerSpan?.spanContext().spanId);
    expect(innerSpan?.parentSpanContext?.spanId).toBe(subNode?.spanContext().spanId);
    expect(xNode?.parentSpanContext?.spanId).toBe(innerSpan?.spanContext().spanId);
  });
});
