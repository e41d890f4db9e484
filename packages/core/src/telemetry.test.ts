import { context, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { OrchestrationError } from './errors.js';
import { NEVER_SIGNAL } from './abort.js';
import { noopLogger, withTraceFields } from './logger.js';
import { resolveOptions } from './options.js';
import type { ExecutionContext } from './runnable.js';
import {
  createTelemetry,
  tracedRun,
  withMeterProvider,
  withMetricsPrefix,
  withTracerProvider,
  type TelemetryOptions,
} from './telemetry.js';
import { z } from 'zod';

class TestReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

function setup() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return { exporter, tracerProvider, reader, meterProvider };
}

function metric(rm: ResourceMetrics, name: string) {
  return rm.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
}

const rootCtx = (): ExecutionContext => ({
  signal: NEVER_SIGNAL,
  runId: 'run-1',
  metadata: {},
  sink: undefined,
  path: [],
  enclosing: undefined,
  otel: context.active(),
});

describe('telemetry', () => {
  it('nests spans through the explicit context, even across Promise.all', async () => {
    const { exporter, tracerProvider } = setup();
    const telemetry = createTelemetry({ tracerProvider });
    await tracedRun(
      telemetry,
      { kind: 'graph', name: 'g', spanName: 'baton.graph.invoke' },
      rootCtx(),
      (ctx) =>
        Promise.all(
          ['a', 'b', 'c'].map((node) =>
            tracedRun(
              telemetry,
              {
                kind: 'node',
                name: node,
                spanName: 'baton.graph.node',
                attributes: { 'baton.node.name': node },
              },
              ctx,
              async () => {
                await new Promise((resolve) => setTimeout(resolve, 1));
                return node;
              },
            ),
          ),
        ),
    );
    const spans = exporter.getFinishedSpans();
    const parent = spans.find((s) => s.name === 'baton.graph.invoke');
    const children = spans.filter((s) => s.name === 'baton.graph.node');
    expect(parent?.attributes).toMatchObject({ 'baton.name': 'g', 'baton.run.id': 'run-1' });
    expect(children).toHaveLength(3);
    for (const child of children) {
      expect(child.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
      expect(child.spanContext().traceId).toBe(parent?.spanContext().traceId);
    }
  });

  it('records executions, duration, errors and active under the prefix, and marks failed spans', async () => {
    const { exporter, tracerProvider, reader, meterProvider } = setup();
    const telemetry = createTelemetry({
      tracerProvider,
      meterProvider,
      metricsPrefix: 'test.orch',
    });
    const opts = { kind: 'chain', name: 'c', spanName: 'baton.chain.invoke' } as const;
    await tracedRun(telemetry, opts, rootCtx(), () => Promise.resolve(1));
    await expect(
      tracedRun(telemetry, opts, rootCtx(), () =>
        Promise.reject(new OrchestrationError('timeout', 'too slow')),
      ),
    ).rejects.toMatchObject({ code: 'timeout' });

    const { resourceMetrics } = await reader.collect();
    const executions = metric(resourceMetrics, 'test.orch.executions');
    const points = executions?.dataPoints.map((p) => [p.attributes.status, p.value]);
    expect(points).toEqual(
      expect.arrayContaining([
        ['success', 1],
        ['error', 1],
      ]),
    );
    const errors = metric(resourceMetrics, 'test.orch.errors');
    expect(errors?.dataPoints[0]?.attributes).toMatchObject({
      code: 'timeout',
      kind: 'chain',
      name: 'c',
    });
    expect(metric(resourceMetrics, 'test.orch.duration')?.descriptor.unit).toBe('s');
    expect(metric(resourceMetrics, 'test.orch.active')?.dataPoints[0]?.value).toBe(0);

    const failed = exporter.getFinishedSpans()[1];
    expect(failed?.status.code).toBe(2);
    expect(failed?.events[0]?.name).toBe('exception');
    expect(failed?.attributes['baton.error.code']).toBe('timeout');
  });

  it('costs nothing observable with no SDK registered', async () => {
    const telemetry = createTelemetry();
    const value = await tracedRun(
      telemetry,
      { kind: 'chain', name: 'c', spanName: 's' },
      rootCtx(),
      (_ctx, span) => {
        expect(span.isRecording()).toBe(false);
        return Promise.resolve(42);
      },
    );
    expect(value).toBe(42);
  });

  it('offers generic options that any config with TelemetryOptions accepts', () => {
    const { tracerProvider, meterProvider } = setup();
    const schema = z.looseObject({}) as unknown as z.ZodType<TelemetryOptions>;
    const config = resolveOptions<TelemetryOptions>(
      {},
      [
        withTracerProvider(tracerProvider),
        withMeterProvider(meterProvider),
        withMetricsPrefix('p'),
      ],
      schema,
    )._unsafeUnwrap();
    expect(config.tracerProvider).toBe(tracerProvider);
    expect(config.metricsPrefix).toBe('p');
  });

  it('adds trace and span ids to log fields', () => {
    const { tracerProvider } = setup();
    const span = tracerProvider.getTracer('t').startSpan('x');
    const fields = withTraceFields(trace.setSpan(context.active(), span), { a: 1 });
    expect(fields).toMatchObject({
      a: 1,
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
    });
    expect(withTraceFields(context.active(), { a: 1 })).toEqual({ a: 1 });
    expect(() => noopLogger.info('x', { y: 1 })).not.toThrow();
  });
});
