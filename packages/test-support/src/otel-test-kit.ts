import type { MeterProvider as ApiMeterProvider, TracerProvider } from '@opentelemetry/api';
import {
  MeterProvider,
  MetricReader,
  type DataPoint,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

class CollectingReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** A tracer and meter provider that keep everything in memory, for asserting telemetry. */
export interface OtelTestKit {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: ApiMeterProvider;
  /** The processor feeding `spans()`, for code that hands over finished spans itself (Temporal's workflow spans). */
  readonly spanProcessor: SpanProcessor;
  /** Finished spans so far. */
  spans(): ReadableSpan[];
  /** Finished spans named `name`. */
  spansNamed(name: string): ReadableSpan[];
  /** Collects metrics now and returns the one named `name` (undefined when never recorded). */
  metric(name: string): Promise<MetricData | undefined>;
  /** The data points of metric `name` (empty when never recorded). */
  points(name: string): Promise<DataPoint<unknown>[]>;
  reset(): void;
}

/**
 * In-memory OpenTelemetry SDK providers; pass them with `withTracerProvider(kit.tracerProvider)`
 * and `withMeterProvider(kit.meterProvider)` instead of registering globals.
 */
export function createOtelTestKit(): OtelTestKit {
  const exporter = new InMemorySpanExporter();
  const spanProcessor = new SimpleSpanProcessor(exporter);
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [spanProcessor] });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const metric = async (name: string): Promise<MetricData | undefined> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === name);
  };
  return {
    tracerProvider,
    meterProvider,
    spanProcessor,
    spans: () => exporter.getFinishedSpans(),
    spansNamed: (name) => exporter.getFinishedSpans().filter((s) => s.name === name),
    metric,
    points: async (name) => (await metric(name))?.dataPoints ?? [],
    reset: () => exporter.reset(),
  };
}
