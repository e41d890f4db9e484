import { createRequire } from 'node:module';
import { trace, type Attributes, type SpanContext, type TracerProvider } from '@opentelemetry/api';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import type {
  OpenTelemetrySinks,
  SerializableSpan,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions.js';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';

/** Receives finished workflow spans: an OpenTelemetry SDK `SpanProcessor` (SDK 1.x or 2.x). */
export interface WorkflowSpanProcessor {
  onEnd(span: never): void;
}

/** Tracing of a Baton worker (`createBatonWorker({ tracing })`). */
export interface BatonWorkerTracing {
  /**
   * Provider of the activity spans (`RunActivity:<name>`), which the Runnables' own spans nest in.
   * @default the global TracerProvider of `@opentelemetry/api`
   */
  readonly tracerProvider?: TracerProvider;
  /**
   * Where the spans made inside the workflow sandbox go (`RunWorkflow:<type>`,
   * `StartActivity:<name>`, ...). The sandbox cannot reach an exporter, so Temporal hands them to
   * the worker through a sink; pass your SDK's span processor (e.g. a `BatchSpanProcessor`).
   * Without one they only carry the trace context to the activities.
   * @default undefined
   */
  readonly spanProcessor?: WorkflowSpanProcessor;
  /**
   * The resource of workflow spans: an SDK `Resource` (activity spans get their provider's).
   * @default a resource with `service.name` 'baton-temporal-worker'
   */
  readonly resource?: object;
}

const TRACER_NAME = '@baton/workflow-temporal';

const require = createRequire(import.meta.url);

/**
 * Path of the workflow interceptors module Temporal's OpenTelemetry package ships
 * (`@temporalio/interceptors-opentelemetry/lib/workflow-interceptors`). A worker with `tracing`
 * bundles it; with a prebuilt `workflowBundle`, pass it to `bundleWorkflowCode({
 * workflowInterceptorModules: [TRACING_WORKFLOW_INTERCEPTORS] })` yourself.
 */
export const TRACING_WORKFLOW_INTERCEPTORS: string =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

const DEFAULT_RESOURCE = Object.freeze({
  attributes: { 'service.name': 'baton-temporal-worker' },
  asyncAttributesPending: false,
  waitForAsyncAttributes: () => Promise.resolve(),
});

/**
 * A workflow span as an SDK ReadableSpan. Temporal's package serialises SDK 1.x spans
 * (`parentSpanId`, `instrumentationLibrary`); SDK 2.x processors and exporters read
 * `parentSpanContext` and `instrumentationScope`. The span carries both.
 */
function readableSpan(
  span: SerializableSpan,
  workflow: Attributes,
  resource: object,
): Record<string, unknown> {
  const { traceState: _traceState, ...context } = span.spanContext;
  const spanContext: SpanContext = context;
  const parentSpanContext =
    span.parentSpanId === undefined
      ? undefined
      : { traceId: context.traceId, spanId: span.parentSpanId, traceFlags: context.traceFlags };
  return {
    ...span,
    attributes: { ...span.attributes, ...workflow },
    spanContext: () => spanContext,
    parentSpanContext,
    instrumentationScope: span.instrumentationLibrary,
    resource,
  };
}

/** The worker options that turn tracing on (merged over the user's own interceptors and sinks). */
export function tracingWorkerOptions(
  tracing: BatonWorkerTracing,
  base: Partial<WorkerOptions>,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const tracer = (tracing.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
  const processor = tracing.spanProcessor;
  const resource = tracing.resource ?? DEFAULT_RESOURCE;
  const sinks: InjectedSinks<OpenTelemetrySinks> = {
    exporter: {
      export: {
        fn: (info, spans) => {
          if (processor === undefined) return;
          const workflow = {
            'temporal.workflow.id': info.workflowId,
            'temporal.run.id': info.runId,
            'temporal.workflow.type': info.workflowType,
          };
          for (const span of spans)
            processor.onEnd(readableSpan(span, workflow, resource) as never);
        },
        callDuringReplay: false,
      },
    },
  };
  const interceptors = base.interceptors ?? {};
  return {
    interceptors: {
      ...interceptors,
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
        ...(interceptors.activity ?? []),
      ],
      workflowModules: [TRACING_WORKFLOW_INTERCEPTORS, ...(interceptors.workflowModules ?? [])],
    },
    sinks: { ...base.sinks, ...sinks },
  };
}
