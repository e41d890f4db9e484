import {
  createNoopMeter,
  INVALID_SPAN_CONTEXT,
  metrics as otelMetrics,
  ProxyTracerProvider,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
  type UpDownCounter,
} from '@opentelemetry/api';
import type { ErrorCode } from './errors.js';
import { toOrchestrationError, type OrchestrationError } from './errors.js';
import { noopLogger, type Logger } from './logger.js';
import type { Mutable, Option } from './options.js';
import { z } from 'zod';
import type { ExecutionContext } from './runnable.js';

/** Instrumentation scope name of every Baton tracer and meter. */
export const INSTRUMENTATION_SCOPE = 'baton';
/** Default prefix of metric names. */
export const DEFAULT_METRICS_PREFIX = 'baton.orchestration';

/** Telemetry settings every component config carries. */
export interface TelemetryOptions {
  /** @default the global TracerProvider of `@opentelemetry/api` */
  readonly tracerProvider?: TracerProvider | undefined;
  /** @default the global MeterProvider of `@opentelemetry/api` */
  readonly meterProvider?: MeterProvider | undefined;
  /** @default 'baton.orchestration' */
  readonly metricsPrefix?: string | undefined;
  /** @default noopLogger */
  readonly logger?: Logger | undefined;
}

/** An object with these methods; a Proxy or a throwing getter is none. */
function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
  } catch {
    return false;
  }
}

const withMethods = (option: string, what: string, methods: readonly string[]) =>
  z
    .custom<object | undefined>((v) => v === undefined || hasMethods(v, methods), {
      error: `${option} expects ${what} (an object with ${methods.join(', ')})`,
    })
    .optional();

/**
 * zod fields validating `TelemetryOptions`; spread them into a component's config schema.
 *
 * @example
 * const schema = z.object({ name: z.string(), ...telemetryOptionsShape });
 */
export const telemetryOptionsShape = {
  tracerProvider: withMethods('withTracerProvider', 'a TracerProvider', ['getTracer']),
  meterProvider: withMethods('withMeterProvider', 'a MeterProvider', ['getMeter']),
  metricsPrefix: z
    .string()
    .trim()
    .min(1, { error: 'withMetricsPrefix expects a non-empty prefix' })
    .optional(),
  logger: withMethods('withLogger', 'a Logger', ['debug', 'info', 'warn', 'error']),
};

/** Uses `provider` instead of the global TracerProvider. */
export function withTracerProvider<C extends TelemetryOptions>(
  provider: TracerProvider,
): Option<C> {
  return (draft) => {
    (draft as Mutable<TelemetryOptions>).tracerProvider = provider;
  };
}
/** Uses `provider` instead of the global MeterProvider. */
export function withMeterProvider<C extends TelemetryOptions>(provider: MeterProvider): Option<C> {
  return (draft) => {
    (draft as Mutable<TelemetryOptions>).meterProvider = provider;
  };
}
/** Prefix of every metric name. */
export function withMetricsPrefix<C extends TelemetryOptions>(prefix: string): Option<C> {
  return (draft) => {
    (draft as Mutable<TelemetryOptions>).metricsPrefix = prefix;
  };
}
/** Logs through `logger`. */
export function withLogger<C extends TelemetryOptions>(logger: Logger): Option<C> {
  return (draft) => {
    (draft as Mutable<TelemetryOptions>).logger = logger;
  };
}

/** What kind of component a metric is about. */
export type ExecutionKind = 'chain' | 'graph' | 'workflow' | 'node' | 'step';

/** The metrics of DESIGN.md, recorded against whichever MeterProvider is current. */
export interface OrchestrationMetrics {
  recordExecution(
    kind: ExecutionKind,
    name: string,
    status: 'success' | 'error',
    durationMs: number,
  ): void;
  recordError(kind: ExecutionKind, name: string, code: ErrorCode): void;
  addActive(kind: ExecutionKind, name: string, delta: number): void;
  recordGraphNodes(name: string, nodes: number): void;
}

interface Instruments {
  executions: Counter;
  duration: Histogram;
  errors: Counter;
  active: UpDownCounter;
  graphNodes: Histogram;
}

const instrumentCache = new WeakMap<MeterProvider, Map<string, Instruments>>();

function instrumentsFor(provider: MeterProvider, prefix: string): Instruments {
  let byPrefix = instrumentCache.get(provider);
  if (!byPrefix) {
    byPrefix = new Map();
    instrumentCache.set(provider, byPrefix);
  }
  let instruments = byPrefix.get(prefix);
  if (!instruments) {
    const meter = provider.getMeter(INSTRUMENTATION_SCOPE);
    instruments = {
      executions: meter.createCounter(`${prefix}.executions`, {
        description: 'Runs of chains, graphs, workflows and nodes',
      }),
      duration: meter.createHistogram(`${prefix}.duration`, {
        description: 'Run duration',
        unit: 's',
      }),
      errors: meter.createCounter(`${prefix}.errors`, { description: 'Failed runs by error code' }),
      active: meter.createUpDownCounter(`${prefix}.active`, { description: 'Runs in progress' }),
      graphNodes: meter.createHistogram(`${prefix}.graph.nodes`, {
        description: 'Nodes per graph run',
      }),
    };
    byPrefix.set(prefix, instruments);
  }
  return instruments;
}

/**
 * The metrics of a MeterProvider whose meters are no-ops (none registered): every call does
 * nothing, and callers compare against it to skip timing (`performance.now()`) and attribute
 * objects they would only build for it.
 */
const NOOP_METRICS: OrchestrationMetrics = Object.freeze({
  recordExecution: (): void => undefined,
  recordError: (): void => undefined,
  addActive: (): void => undefined,
  recordGraphNodes: (): void => undefined,
});

function metricsFor(i: Instruments): OrchestrationMetrics {
  return {
    recordExecution(kind, name, status, durationMs) {
      const attributes = { kind, name, status };
      i.executions.add(1, attributes);
      i.duration.record(durationMs / 1000, attributes);
    },
    recordError: (kind, name, code) => i.errors.add(1, { kind, name, code }),
    addActive: (kind, name, delta) => i.active.add(delta, { kind, name }),
    recordGraphNodes: (name, nodes) => i.graphNodes.record(nodes, { name }),
  };
}

/** Tracer, metrics and logger of one component. */
export interface Telemetry {
  readonly tracer: Tracer;
  readonly logger: Logger;
  /** The metrics, resolved against the MeterProvider current now (so a late SDK is honoured). */
  metrics(): OrchestrationMetrics;
}

/** Tracers taken from the global TracerProvider (see `tracingOff`). */
const globalTracers = new WeakSet<Tracer>();

/**
 * True when `telemetry`'s spans would be no-ops: its tracer is the global one and no SDK is
 * registered behind the global proxy provider. Checked per run, so an SDK registered later is
 * honoured (the proxy tracer starts delegating to it).
 */
function tracingOff(telemetry: Telemetry): boolean {
  if (!globalTracers.has(telemetry.tracer)) return false;
  const provider = trace.getTracerProvider();
  return (
    provider instanceof ProxyTracerProvider &&
    provider.getDelegateTracer(INSTRUMENTATION_SCOPE) === undefined
  );
}

/** The span `fn` receives when tracing is off: not recording, no span context. */
const OFF_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Per span options: maps a failure to an OrchestrationError named after the run (no closure per run). */
const failureMappers = new WeakMap<TracedRunOptions, (error: unknown) => never>();

function failureMapper(options: TracedRunOptions): (error: unknown) => never {
  let map = failureMappers.get(options);
  if (map === undefined) {
    const name = options.name;
    map = (error: unknown): never => {
      throw toOrchestrationError(error, name);
    };
    failureMappers.set(options, map);
  }
  return map;
}

/** Builds a component's telemetry from its options. */
export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const prefix = options.metricsPrefix ?? DEFAULT_METRICS_PREFIX;
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
    INSTRUMENTATION_SCOPE,
  );
  if (options.tracerProvider === undefined) globalTracers.add(tracer);
  // The metrics API has no proxy: resolve the provider at each run, but build the recorder only
  // when the provider changed.
  let lastProvider: MeterProvider | undefined;
  let lastMetrics: OrchestrationMetrics | undefined;
  return {
    tracer,
    logger: options.logger ?? noopLogger,
    metrics() {
      const provider = options.meterProvider ?? otelMetrics.getMeterProvider();
      if (provider !== lastProvider || lastMetrics === undefined) {
        lastProvider = provider;
        lastMetrics =
          provider.getMeter(INSTRUMENTATION_SCOPE) === createNoopMeter()
            ? NOOP_METRICS
            : metricsFor(instrumentsFor(provider, prefix));
      }
      return lastMetrics;
    },
  };
}

/** A span started as a child of the span in `parent`, and the context that carries it. */
export function startSpan(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  parent: Context,
): { span: Span; ctx: Context } {
  const span = tracer.startSpan(name, { attributes }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Ends `span` with an error status and the exception recorded. */
export function endSpanWithError(span: Span, error: OrchestrationError): void {
  if (span.isRecording()) {
    span.recordException(error);
    span.setAttribute('baton.error.code', error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

export interface TracedRunOptions {
  readonly kind: ExecutionKind;
  readonly name: string;
  readonly spanName: string;
  readonly attributes?: Attributes;
  /** Record `executions`, `duration`, `errors` and `active` for this run. @default true */
  readonly recordMetrics?: boolean;
}

/**
 * True when `tracedRun(telemetry, options, ...)` would start no span and record no metrics (no
 * OpenTelemetry SDK behind the global providers, the default): a hot path may then run its work
 * directly, mapping a failure to an OrchestrationError named `options.name` itself. Checked per
 * run, so an SDK registered later is honoured.
 */
export function tracedRunIsNoop(telemetry: Telemetry, options: TracedRunOptions): boolean {
  return (
    tracingOff(telemetry) &&
    (options.recordMetrics === false || telemetry.metrics() === NOOP_METRICS)
  );
}

/**
 * Runs `fn` inside a span (child of `ctx.otel`) and records the run's metrics. `fn` receives a
 * context whose `otel` carries the new span, so nested runs become its children even across
 * `Promise.all`.
 */
export function tracedRun<T>(
  telemetry: Telemetry,
  options: TracedRunOptions,
  ctx: ExecutionContext,
  fn: (ctx: ExecutionContext, span: Span) => Promise<T>,
): Promise<T> {
  // Fast path with no OpenTelemetry SDK (the default): no span, no context copy, no clock reads,
  // no async frame. Every run of a chain or graph paid for a NonRecordingSpan, an OTel Context
  // (with three closures), a context spread, an attributes object and two performance.now();
  // about 0.5 KB per run kept alive while it is pending. The outcome is the same: `fn`'s value,
  // or its failure as an OrchestrationError named after the run.
  if (tracedRunIsNoop(telemetry, options)) {
    let promise: Promise<T>;
    try {
      promise = fn(ctx, OFF_SPAN);
    } catch (error) {
      return Promise.reject(toOrchestrationError(error, options.name));
    }
    return promise.then(undefined, failureMapper(options));
  }
  return tracedRunRecorded(telemetry, options, ctx, fn);
}

async function tracedRunRecorded<T>(
  telemetry: Telemetry,
  options: TracedRunOptions,
  ctx: ExecutionContext,
  fn: (ctx: ExecutionContext, span: Span) => Promise<T>,
): Promise<T> {
  const { span, ctx: otel } = startSpan(
    telemetry.tracer,
    options.spanName,
    { 'baton.name': options.name, 'baton.run.id': ctx.runId, ...options.attributes },
    ctx.otel,
  );
  const record = options.recordMetrics !== false;
  const metrics = record ? telemetry.metrics() : undefined;
  metrics?.addActive(options.kind, options.name, 1);
  const started = performance.now();
  try {
    const value = await fn({ ...ctx, otel }, span);
    metrics?.recordExecution(options.kind, options.name, 'success', performance.now() - started);
    span.end();
    return value;
  } catch (error) {
    const e = toOrchestrationError(error, options.name);
    metrics?.recordExecution(options.kind, options.name, 'error', performance.now() - started);
    metrics?.recordError(options.kind, options.name, e.code);
    endSpanWithError(span, e);
    throw e;
  } finally {
    metrics?.addActive(options.kind, options.name, -1);
  }
}
