import { OrchestrationError, runnable, withMeterProvider, withTracerProvider } from '@baton/core';
import { INVALID_SPAN_CONTEXT, trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createOtelTestKit, type OtelTestKit } from '@baton/test-support';
import { describe, expect, it } from 'vitest';
import { graphOf } from '../test/support.js';
import {
  createGraph,
  withGraphFailFast,
  withGraphName,
  withNodeRetries,
  withNodeRetryPolicy,
  type GraphOption,
} from './index.js';

function setup() {
  const kit = createOtelTestKit();
  const options: GraphOption[] = [
    withTracerProvider(kit.tracerProvider),
    withMeterProvider(kit.meterProvider),
  ];
  return { exporter: { getFinishedSpans: () => kit.spans() }, reader: kit, options };
}

function points(kit: OtelTestKit, name: string) {
  return kit.points(name);
}

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

describe('telemetry', () => {
  it('makes baton.graph.invoke the parent of every baton.graph.node span, across parallel branches', async () => {
    const { exporter, options } = setup();
    const g = graphOf(
      {
        a: async (x: number) => x,
        b: async (x: number) => x + 1,
        c: async (x: number) => x + 2,
        d: (r: unknown) => r,
      },
      [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'd'],
        ['c', 'd'],
      ],
      withGraphName('traced'),
      ...options,
    );
    const run = await g.invoke(1, { runId: 'run-42' });
    expect(run.isOk()).toBe(true);
    const spans = exporter.getFinishedSpans();
    const graphSpan = spans.find((s) => s.name === 'baton.graph.invoke');
    const nodes = spans.filter((s) => s.name === 'baton.graph.node');
    expect(graphSpan?.attributes['baton.name']).toBe('traced');
    expect(nodes.map((s) => s.attributes['baton.node.name']).sort()).toEqual(['a', 'b', 'c', 'd']);
    for (const node of nodes) {
      expect(parentOf(node)).toBe(graphSpan?.spanContext().spanId);
      expect(node.spanContext().traceId).toBe(graphSpan?.spanContext().traceId);
      expect(node.attributes).toMatchObject({ 'baton.attempt': 1, 'baton.run.id': 'run-42' });
    }
  });

  it('keeps concurrent runs in separate traces', async () => {
    const { exporter, options } = setup();
    const g = graphOf(
      { a: async (x: number) => x, b: async (x: number) => x },
      [['a', 'b']],
      ...options,
    );
    await Promise.all([g.invoke(1), g.invoke(2), g.invoke(3)]);
    const spans = exporter.getFinishedSpans();
    const roots = spans.filter((s) => s.name === 'baton.graph.invoke');
    expect(roots).toHaveLength(3);
    for (const root of roots) {
      const children = spans.filter((s) => parentOf(s) === root.spanContext().spanId);
      expect(children).toHaveLength(2);
      expect(new Set(children.map((s) => s.attributes['baton.run.id']))).toEqual(
        new Set([root.attributes['baton.run.id']]),
      );
    }
  });

  it('records one span per attempt with its error status', async () => {
    const { exporter, options } = setup();
    let calls = 0;
    const g = graphOf(
      {
        flaky: [
          () => {
            if (++calls < 2) throw new OrchestrationError('execution_failed', 'first try fails');
            return 'ok';
          },
          withNodeRetries(1),
          withNodeRetryPolicy({ initialDelayMs: 1 }),
        ],
      },
      [],
      ...options,
    );
    expect((await g.invoke(1)).isOk()).toBe(true);
    const nodes = exporter.getFinishedSpans().filter((s) => s.name === 'baton.graph.node');
    expect(nodes.map((s) => [s.attributes['baton.attempt'], s.status.code])).toEqual([
      [1, 2],
      [2, 0],
    ]);
    expect(nodes[0]?.attributes['baton.error.code']).toBe('execution_failed');
  });

  it('records graph and node metrics and nodes per graph', async () => {
    const { reader, options } = setup();
    const g = graphOf(
      {
        a: (x: number) => x,
        b: () => {
          throw new OrchestrationError('invalid_input', 'no', { retryable: false });
        },
        c: (x: number) => x,
      },
      [['a', 'c']],
      withGraphName('metered'),
      withGraphFailFast(false),
      ...options,
    );
    await g.invoke(1);
    const ok = createGraph(withGraphName('fine'), ...options)._unsafeUnwrap();
    ok.addNode(
      'only',
      runnable('only', (x: number) => x),
    )._unsafeUnwrap();
    await ok.invoke(1);
    const executions = await points(reader, 'baton.orchestration.executions');
    const byKey = Object.fromEntries(
      executions.map((p) => [
        `${String(p.attributes.kind)}:${String(p.attributes.name)}:${String(p.attributes.status)}`,
        p.value,
      ]),
    );
    expect(byKey).toMatchObject({
      'graph:metered:error': 1,
      'graph:fine:success': 1,
      'node:metered.a:success': 1,
      'node:metered.c:success': 1,
      'node:metered.b:error': 1,
      'node:fine.only:success': 1,
    });
    const errors = await points(reader, 'baton.orchestration.errors');
    expect(errors.map((p) => [p.attributes.kind, p.attributes.name, p.attributes.code])).toEqual(
      expect.arrayContaining([
        ['node', 'metered.b', 'invalid_input'],
        ['graph', 'metered', 'invalid_input'],
      ]),
    );
    const nodes = await points(reader, 'baton.orchestration.graph.nodes');
    const metered = nodes.find((p) => p.attributes.name === 'metered');
    expect((metered?.value as { sum: number }).sum).toBe(3);
  });

  it('creates no node spans when the graph span does not record', async () => {
    const started: string[] = [];
    const tracer = {
      startSpan: (name: string) => {
        started.push(name);
        return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
      },
      startActiveSpan: () => {
        throw new Error('not used');
      },
    } as unknown as Tracer;
    const provider: TracerProvider = { getTracer: () => tracer };
    const g = graphOf(
      { a: (x: number) => x, b: (x: number) => x },
      [['a', 'b']],
      withTracerProvider(provider),
    );
    expect((await g.invoke(1)).isOk()).toBe(true);
    expect(started).toEqual(['baton.graph.invoke']);
  });
});
