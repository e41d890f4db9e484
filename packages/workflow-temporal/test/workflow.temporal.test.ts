import { fileURLToPath } from 'node:url';
import { runnable, withTracerProvider, OrchestrationError } from '@baton/core';
import { newRunId } from '@baton/core/authoring';
import { createOtelTestKit, startTemporalDevServer } from '@baton/test-support';
import {
  createTemporalWorkflow,
  withTemporalAddress,
  withTemporalCheckTimeout,
  withTemporalConnection,
  withTemporalRpcTimeout,
  withWorkflowIdPrefix,
  withWorkflowMetadata,
  withWorkflowRetries,
  withWorkflowSearchAttributes,
  withWorkflowTaskQueue,
  withWorkflowTimeout,
  type TemporalWorkflow,
  type WorkflowOption,
} from '@baton/workflow-temporal';
import { createBatonWorker, type BatonWorker } from '@baton/workflow-temporal/worker';
import type { BatonRunnableInput } from '@baton/workflow-temporal/workflow';
import { Client, Connection } from '@temporalio/client';
import {
  DefaultLogger,
  Runtime,
  bundleWorkflowCode,
  makeTelemetryFilterString,
  type WorkflowBundle,
} from '@temporalio/worker';
import { err, ok } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { approval, flaky, forever, greeting } from './workflows/index.js';

const server = inject('temporal');
const taskQueue = `baton-test-${newRunId()}`;

/** What the Runnables saw, read by the tests (activities run in this process). */
const seen = { slowStarted: false, slowAborted: false, failsAttempts: 0, flakyAttempts: 0 };

/** Runs longer than the heartbeat timeout it is given: only heartbeats keep the attempt alive. */
const long = runnable('long', async (ms: number) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
});

const greet = runnable('greet', (name: string) => `hello ${name}`);
const slow = runnable('slow', async (_: unknown, ctx) => {
  seen.slowStarted = true;
  await new Promise<void>((resolve) => {
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  seen.slowAborted = true;
  return 'stopped';
});
const fails = runnable('fails', () => {
  seen.failsAttempts += 1;
  return err(
    new OrchestrationError('invalid_input', 'the order has no items', {
      details: { orderId: 'o-1' },
    }),
  );
});
const flakyRunnable = runnable('flakyRunnable', () => {
  seen.flakyAttempts += 1;
  return seen.flakyAttempts < 3
    ? err(new OrchestrationError('execution_failed', 'try again'))
    : ok(seen.flakyAttempts);
});

async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.runIf(server !== undefined)('temporal workflow provider on a real dev server', () => {
  const { address, namespace } = server ?? { address: '', namespace: '' };
  let worker: BatonWorker;
  let running: ReturnType<BatonWorker['run']>;
  let connection: Connection;
  let client: Client;
  let bundle: WorkflowBundle;
  const opened: { close(): Promise<void> }[] = [];

  function workflow<I, O>(
    definition: string | ((input: I) => Promise<O>),
    ...options: WorkflowOption[]
  ): TemporalWorkflow<I, O> {
    const created = createTemporalWorkflow<I, O>(
      definition,
      withTemporalAddress(address, namespace),
      withWorkflowTaskQueue(taskQueue),
      ...options,
    )._unsafeUnwrap();
    opened.push(created);
    return created;
  }

  beforeAll(async () => {
    // The failures these tests provoke on purpose would otherwise be logged as warnings.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
    bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./workflows/index.ts', import.meta.url)),
      logger: new DefaultLogger('ERROR'),
    });
    worker = (
      await createBatonWorker({
        address,
        namespace,
        taskQueue,
        activities: { greet, slow, fails, flakyRunnable, long },
        workflowBundle: bundle,
        heartbeatIntervalMs: 200,
        shutdownGraceTimeMs: 2_000,
      })
    )._unsafeUnwrap();
    running = worker.run();
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
  });

  afterAll(async () => {
    await Promise.all(opened.map((w) => w.close()));
    await connection?.close();
    (await worker?.shutdown())?._unsafeUnwrap();
    expect(await running).toEqual(ok(undefined));
  });

  it("runs a user's own workflow function that calls a Baton Runnable as an activity", async () => {
    const wf = workflow(greeting);
    const first = (await wf.execute('Ada'))._unsafeUnwrap();
    const second = (await wf.execute('Grace'))._unsafeUnwrap();
    expect(first.workflowId).toMatch(/^greeting-/);
    expect(second.workflowId).not.toBe(first.workflowId);
    expect(first.runId).not.toBe('');
    expect(await wf.getResult(first.workflowId)).toEqual(ok('hello Ada!'));
    expect(await wf.getResult(second.workflowId, second.runId)).toEqual(ok('hello Grace!'));
    expect(await worker.check()).toMatchObject({ status: 'healthy' });
  });

  it('runs one registered Runnable durably with the built-in batonRunnable workflow', async () => {
    const wf = workflow<BatonRunnableInput, string>('batonRunnable');
    const run = (await wf.execute({ activity: 'greet', input: 'Bob' }))._unsafeUnwrap();
    expect(await wf.getResult(run.workflowId)).toEqual(ok('hello Bob'));
  });

  it('signals and queries a running workflow', async () => {
    const wf = workflow(approval);
    const run = (await wf.execute('refund'))._unsafeUnwrap();
    expect(await wf.query(run.workflowId, undefined, 'status')).toEqual(ok('waiting: refund'));
    expect(await wf.signal(run.workflowId, run.runId, 'approve', 'ops')).toEqual(ok(undefined));
    expect(await wf.getResult(run.workflowId)).toEqual(ok('approved by ops'));
    expect(await wf.query(run.workflowId, run.runId, 'status')).toEqual(ok('approved by ops'));
    const unknown = (await wf.query(run.workflowId, undefined, 'nope'))._unsafeUnwrapErr();
    expect(unknown.code).toBe('not_found');
  });

  it("cancel reaches the running Runnable's AbortSignal", async () => {
    const wf = workflow<BatonRunnableInput, string>('batonRunnable');
    const run = (await wf.execute({ activity: 'slow', heartbeatTimeoutMs: 2_000 }))._unsafeUnwrap();
    await until(() => seen.slowStarted);
    expect(await wf.cancel(run.workflowId)).toEqual(ok(undefined));
    const error = (await wf.getResult(run.workflowId))._unsafeUnwrapErr();
    expect(error.code).toBe('task_canceled');
    expect(error.cause).toBeInstanceOf(Error);
    expect(seen.slowAborted).toBe(true);
  });

  it('terminate stops a workflow; its result is task_canceled with the reason', async () => {
    const wf = workflow(forever);
    const run = (await wf.execute(undefined))._unsafeUnwrap();
    expect(await wf.terminate(run.workflowId, run.runId, 'test over')).toEqual(ok(undefined));
    const error = (await wf.getResult(run.workflowId))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      code: 'task_canceled',
      details: { temporal: 'terminated', reason: 'test over' },
    });
  });

  it('maps an unknown workflow id to not_found and a duplicate id to invalid_state', async () => {
    const wf = workflow(forever);
    for (const op of [
      wf.getResult('no-such-workflow'),
      wf.signal('no-such-workflow', undefined, 'approve'),
      wf.cancel('no-such-workflow'),
      wf.terminate('no-such-workflow'),
    ]) {
      const error = (await op)._unsafeUnwrapErr();
      expect(error.code).toBe('not_found');
      expect(error.cause).toBeInstanceOf(Error);
    }
    const workflowId = `dup-${newRunId()}`;
    expect((await wf.execute(undefined, { workflowId }))._unsafeUnwrap().workflowId).toBe(
      workflowId,
    );
    const duplicate = (await wf.execute(undefined, { workflowId }))._unsafeUnwrapErr();
    expect(duplicate).toMatchObject({
      code: 'invalid_state',
      details: { reason: 'already-started' },
    });
    await wf.terminate(workflowId);
  });

  it("does not retry a Runnable's non-retryable error and keeps its code", async () => {
    const wf = workflow<BatonRunnableInput, unknown>('batonRunnable');
    const input = { activity: 'fails', retries: 3, retryIntervalMs: 50 };
    const run = (await wf.execute(input))._unsafeUnwrap();
    const error: OrchestrationError = (await wf.getResult(run.workflowId))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_input');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('the order has no items');
    expect(error.details).toMatchObject({ orderId: 'o-1' });
    expect(seen.failsAttempts).toBe(1);
  });

  it("retries a Runnable's retryable error with Temporal's retry policy", async () => {
    const wf = workflow<BatonRunnableInput, number>('batonRunnable');
    const input = { activity: 'flakyRunnable', retries: 2, retryIntervalMs: 50 };
    const run = (await wf.execute(input))._unsafeUnwrap();
    expect(await wf.getResult(run.workflowId)).toEqual(ok(3));
    expect(seen.flakyAttempts).toBe(3);
  });

  it('withWorkflowRetries is a real RetryPolicy on the execution', async () => {
    const once = workflow(flaky);
    const failed = (
      await once.getResult((await once.execute(undefined))._unsafeUnwrap().workflowId)
    )._unsafeUnwrapErr();
    expect(failed.code).toBe('execution_failed');
    const retried = workflow(flaky, withWorkflowRetries(1));
    const run = (await retried.execute(undefined))._unsafeUnwrap();
    expect(await retried.getResult(run.workflowId)).toEqual(ok(2));
  });

  it('withWorkflowTimeout fails a late execution with timeout', async () => {
    const wf = workflow(forever, withWorkflowTimeout(1_000));
    const run = (await wf.execute(undefined))._unsafeUnwrap();
    expect((await wf.getResult(run.workflowId))._unsafeUnwrapErr().code).toBe('timeout');
  });

  it('sends metadata as the memo and names ids with the prefix', async () => {
    const wf = workflow(
      forever,
      withWorkflowMetadata({ team: 'payments' }),
      withWorkflowIdPrefix('orders-'),
    );
    const run = (await wf.execute(undefined))._unsafeUnwrap();
    expect(run.workflowId).toMatch(/^orders-/);
    const described = await client.workflow.getHandle(run.workflowId).describe();
    expect(described.memo).toEqual({ team: 'payments' });
    await wf.terminate(run.workflowId);
  });

  it('sends search attributes typed from their values; describe() shows them', async () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    const wf = workflow(
      forever,
      withWorkflowMetadata({ team: 'payments', note: { free: 'form' } }),
      withWorkflowSearchAttributes({
        BatonTestKeyword: 'payments',
        BatonTestInt: 3,
        BatonTestDouble: 0.5,
        BatonTestBool: true,
        BatonTestDatetime: at,
        BatonTestKeywordList: ['a', 'b'],
      }),
    );
    const run = (await wf.execute(undefined))._unsafeUnwrap();
    const described = await client.workflow.getHandle(run.workflowId).describe();
    expect(described.memo).toEqual({ team: 'payments', note: { free: 'form' } });
    const attribute = (name: string) =>
      described.typedSearchAttributes.getAll().find((p) => p.key.name === name);
    expect(attribute('BatonTestKeyword')).toMatchObject({
      key: { type: 'KEYWORD' },
      value: 'payments',
    });
    expect(attribute('BatonTestInt')).toMatchObject({ key: { type: 'INT' }, value: 3 });
    expect(attribute('BatonTestDouble')).toMatchObject({ key: { type: 'DOUBLE' }, value: 0.5 });
    expect(attribute('BatonTestBool')).toMatchObject({ key: { type: 'BOOL' }, value: true });
    expect(attribute('BatonTestDatetime')?.value).toEqual(at);
    expect(attribute('BatonTestKeywordList')?.value).toEqual(['a', 'b']);
    await wf.terminate(run.workflowId);
  });

  it('an unregistered search attribute fails execute with invalid_input naming it', async () => {
    const wf = workflow(forever, withWorkflowSearchAttributes({ NoSuchAttribute: 'x' }));
    const error = (await wf.execute(undefined))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('NoSuchAttribute');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('the workflow bundle holds no Node built-in, OpenTelemetry SDK or Redis client', () => {
    expect(bundle.code).toContain('batonRunnable');
    expect(bundle.code).not.toMatch(
      /require\(["'](node:)?(fs|net|child_process|worker_threads)["']\)/,
    );
    expect(bundle.code).not.toMatch(/@opentelemetry\/sdk-|ioredis/);
  });

  it('heartbeats keep a Runnable alive past its heartbeat timeout', async () => {
    const wf = workflow<BatonRunnableInput, number>('batonRunnable');
    const input = { activity: 'long', input: 1_500, heartbeatTimeoutMs: 500 };
    const run = (await wf.execute(input))._unsafeUnwrap();
    expect(await wf.getResult(run.workflowId)).toEqual(ok(1_500));
  });

  it('traces each operation as a baton.workflow.<op> span', async () => {
    const kit = createOtelTestKit();
    const wf = workflow(greeting, withTracerProvider(kit.tracerProvider));
    const run = (await wf.execute('Otel'))._unsafeUnwrap();
    await wf.getResult(run.workflowId);
    await wf.getResult('no-such-workflow');
    const baton = kit.spans().filter((s) => s.name.startsWith('baton.'));
    expect(baton.map((s) => s.name)).toEqual([
      'baton.workflow.execute',
      'baton.workflow.getResult',
      'baton.workflow.getResult',
    ]);
    // Temporal's client interceptor traces the start with the same provider.
    expect(kit.spansNamed('StartWorkflow:greeting')).toHaveLength(1);
    const [execute, , missing] = baton;
    expect(execute?.attributes).toMatchObject({
      'baton.name': 'greeting',
      'baton.workflow.id': run.workflowId,
    });
    expect(missing?.attributes['baton.error.code']).toBe('not_found');
  });

  it('uses a given connection and leaves it open on close()', async () => {
    const created = createTemporalWorkflow(
      greeting,
      withTemporalConnection(connection, namespace),
      withWorkflowTaskQueue(taskQueue),
    )._unsafeUnwrap();
    const run = (await created.execute('Lin'))._unsafeUnwrap();
    await created.close();
    expect(await client.workflow.getHandle(run.workflowId).result()).toBe('hello Lin!');
  });

  it('shutdown() lets a running Runnable finish, then run() resolves', async () => {
    const queue = `${taskQueue}-shutdown`;
    let finished = false;
    let started = false;
    const sleepy = runnable('sleepy', async (ms: number) => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, ms));
      finished = true;
      return ms;
    });
    const second = (
      await createBatonWorker({
        address,
        namespace,
        taskQueue: queue,
        activities: [sleepy],
        workflowBundle: bundle,
        shutdownGraceTimeMs: 5_000,
      })
    )._unsafeUnwrap();
    const secondRun = second.run();
    const wf = workflow<BatonRunnableInput, number>('batonRunnable', withWorkflowTaskQueue(queue));
    const run = (await wf.execute({ activity: 'sleepy', input: 800 }))._unsafeUnwrap();
    await until(() => started);
    expect(await second.shutdown()).toEqual(ok(undefined));
    expect(finished).toBe(true);
    expect(await secondRun).toEqual(ok(undefined));
    expect((await second.check()).status).toBe('unhealthy');
    await wf.terminate(run.workflowId); // no worker is left on its queue
  });

  it('shutdown() of a worker that never ran releases it', async () => {
    const idle = (
      await createBatonWorker({
        address,
        namespace,
        taskQueue: `${taskQueue}-idle`,
        workflowBundle: bundle,
      })
    )._unsafeUnwrap();
    expect(await idle.shutdown()).toEqual(ok(undefined));
    expect(await idle.shutdown()).toEqual(ok(undefined)); // twice is fine
  });

  it('a server that goes away: check() unhealthy and calls fail within their bounds', async () => {
    const own = await startTemporalDevServer();
    const wf = createTemporalWorkflow(
      forever,
      withTemporalAddress(own.address, own.namespace),
      withWorkflowTaskQueue(taskQueue),
      withTemporalCheckTimeout(1_000),
      withTemporalRpcTimeout(1_500),
    )._unsafeUnwrap();
    opened.push(wf);
    expect((await wf.check()).status).toBe('healthy');
    expect((await wf.execute(undefined)).isOk()).toBe(true); // the connection is open now
    await own.stop();
    let started = Date.now();
    const report = await wf.check();
    expect(report).toMatchObject({ status: 'unhealthy', details: { address: own.address } });
    expect(Date.now() - started).toBeLessThan(3_000);
    started = Date.now();
    const error = (await wf.execute(undefined))._unsafeUnwrapErr();
    expect(['timeout', 'dependency_failed']).toContain(error.code);
    expect(error.cause).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('check() is healthy while the server answers', async () => {
    const report = await workflow(greeting).check();
    expect(report).toMatchObject({ status: 'healthy', details: { namespace } });
  });
});
