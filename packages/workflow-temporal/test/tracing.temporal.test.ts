import { fileURLToPath } from 'node:url';
import { runnable, withTracerProvider } from '@baton/core';
import { newRunId } from '@baton/core/authoring';
import { createOtelTestKit } from '@baton/test-support';
import {
  createTemporalWorkflow,
  withTemporalAddress,
  withWorkflowTaskQueue,
} from '@baton/workflow-temporal';
import { createBatonWorker, type BatonWorker } from '@baton/workflow-temporal/worker';
import type { BatonRunnableInput } from '@baton/workflow-temporal/workflow';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { ok } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const server = inject('temporal');
const taskQueue = `baton-tracing-${newRunId()}`;
const kit = createOtelTestKit();
const contextManager = new AsyncLocalStorageContextManager();

/** Traces its own work in whatever context the activity runs it in, like any instrumented code. */
const greet = runnable('greet', (name: string) => {
  const span = kit.tracerProvider.getTracer('user-code').startSpan('greet.work');
  span.end();
  return `hello ${name}`;
});

async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

type ReadableSpan = ReturnType<typeof kit.spans>[number];
const parentOf = (span: ReadableSpan | undefined): string | undefined =>
  span?.parentSpanContext?.spanId;

describe.runIf(server !== undefined)('OpenTelemetry on a real dev server', () => {
  const { address, namespace } = server ?? { address: '', namespace: '' };
  let worker: BatonWorker;
  let running: ReturnType<BatonWorker['run']>;

  beforeAll(async () => {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
    // What any Node OpenTelemetry setup (NodeSDK) registers: a context manager, without which no
    // context crosses an await, and a propagator, without which none reaches the workflow headers.
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    worker = (
      await createBatonWorker({
        address,
        namespace,
        taskQueue,
        activities: [greet],
        workflowsPath: fileURLToPath(new URL('./workflows/index.ts', import.meta.url)),
        tracing: { tracerProvider: kit.tracerProvider, spanProcessor: kit.spanProcessor },
      })
    )._unsafeUnwrap();
    running = worker.run();
  });

  afterAll(async () => {
    (await worker?.shutdown())?._unsafeUnwrap();
    expect(await running).toEqual(ok(undefined));
    context.disable();
    propagation.disable();
    contextManager.disable();
  });

  it("exports workflow and activity spans in the caller's trace, each under its parent", async () => {
    const wf = createTemporalWorkflow<BatonRunnableInput, string>(
      'batonRunnable',
      withTemporalAddress(address, namespace),
      withWorkflowTaskQueue(taskQueue),
      withTracerProvider(kit.tracerProvider),
    )._unsafeUnwrap();
    const caller = kit.tracerProvider.getTracer('test').startSpan('caller');
    const result = await context.with(trace.setSpan(context.active(), caller), async () => {
      const run = (await wf.execute({ activity: 'greet', input: 'Ada' }))._unsafeUnwrap();
      return wf.getResult(run.workflowId);
    });
    caller.end();
    await wf.close();
    expect(result).toEqual(ok('hello Ada'));

    const one = (name: string) => kit.spansNamed(name)[0];
    await until(() => one('RunWorkflow:batonRunnable') !== undefined);
    const chain = [
      'caller',
      'baton.workflow.execute',
      'StartWorkflow:batonRunnable',
      'RunWorkflow:batonRunnable',
      'StartActivity:greet',
      'RunActivity:greet',
      'greet.work',
    ].map((name) => ({ name, span: one(name) }));
    for (const { name, span } of chain) expect(span, name).toBeDefined();
    const traceId = caller.spanContext().traceId;
    for (let i = 1; i < chain.length; i++) {
      const { name, span } = chain[i]!;
      expect(span?.spanContext().traceId, name).toBe(traceId);
      expect(parentOf(span), `parent of ${name}`).toBe(chain[i - 1]!.span?.spanContext().spanId);
    }
    expect(one('RunWorkflow:batonRunnable')?.attributes).toMatchObject({
      'temporal.workflow.type': 'batonRunnable',
    });
  });

  it('a bad tracing option fails with invalid_config naming it', async () => {
    const error = (
      await createBatonWorker({ taskQueue, tracing: { spanProcessor: {} as never } })
    )._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('tracing.spanProcessor');
  });
});
