import { runnable } from '@baton/core';
import { newRunId } from '@baton/core/authoring';
import { createBatonWorker, type BatonWorker } from '@baton/workflow-temporal/worker';
import type { BatonRunnableInput } from '@baton/workflow-temporal/workflow';
import {
  DefaultLogger,
  Runtime,
  bundleWorkflowCode,
  makeTelemetryFilterString,
} from '@temporalio/worker';
import { ok } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOrchestrator, withTemporal, withWorkflowTaskQueue } from '../src/index.js';

const server = inject('temporal');
const taskQueue = `baton-orchestrator-${newRunId()}`;

const greet = runnable('greet', (name: string) => `hello ${name}`);

async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.runIf(server !== undefined)('Orchestrator workflows on a real Temporal dev server', () => {
  const { address, namespace } = server ?? { address: '', namespace: '' };
  let worker: BatonWorker;
  let running: ReturnType<BatonWorker['run']>;

  beforeAll(async () => {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: new URL('./workflows/index.ts', import.meta.url).pathname,
      logger: new DefaultLogger('ERROR'),
    });
    worker = (
      await createBatonWorker({
        address,
        namespace,
        taskQueue,
        activities: { greet },
        workflowBundle,
      })
    )._unsafeUnwrap();
    running = worker.run();
  });

  afterAll(async () => {
    (await worker?.shutdown())?._unsafeUnwrap();
    expect(await running).toEqual(ok(undefined));
  });

  it('reports the Temporal server in check() and counts a workflow until its result', async () => {
    const o = createOrchestrator(
      withTemporal({ address, namespace }),
      withWorkflowTaskQueue(taskQueue),
    )._unsafeUnwrap();
    const report = await o.check();
    const temporal = report.checks.find((c) => c.component === 'temporal');
    expect(temporal).toMatchObject({ status: 'healthy', details: { address, namespace } });
    const wf = o.createWorkflow<BatonRunnableInput, string>('batonRunnable')._unsafeUnwrap();
    const run = (await wf.execute({ activity: 'greet', input: 'Ada' }))._unsafeUnwrap();
    expect(o.getMetrics()).toMatchObject({ activeWorkflows: 1, totalExecutions: 1 });
    expect(await wf.getResult(run.workflowId)).toEqual(ok('hello Ada'));
    await until(() => o.getMetrics().activeWorkflows === 0);
    expect(o.getMetrics()).toMatchObject({ totalExecutions: 1, errorCount: 0 });
    await o.shutdown();
  });

  it('counts a failed workflow, and stops watching the ones still running at shutdown', async () => {
    const o = createOrchestrator(
      withTemporal({ address, namespace }),
      withWorkflowTaskQueue(taskQueue),
    )._unsafeUnwrap();
    const failing = o.createWorkflow<BatonRunnableInput, string>('batonRunnable')._unsafeUnwrap();
    await failing.execute({ activity: 'no_such_activity', input: 1 });
    await until(() => o.getMetrics().errorCount === 1, 20_000);
    const endless = o.createWorkflow('forever')._unsafeUnwrap();
    const run = (await endless.execute(undefined))._unsafeUnwrap();
    expect(o.getMetrics().activeWorkflows).toBe(1);
    await o.shutdown({ timeoutMs: 100 });
    expect(o.getMetrics()).toMatchObject({ activeWorkflows: 0, errorCount: 1 });
    expect((await endless.execute(undefined))._unsafeUnwrapErr().code).toBe('invalid_state');
    // the execution itself lives on: another client can still end it
    const other = createOrchestrator(withTemporal({ address, namespace }))._unsafeUnwrap();
    const again = other.createWorkflow('forever')._unsafeUnwrap();
    expect((await again.terminate(run.workflowId)).isOk()).toBe(true);
    await other.shutdown();
  });

  it('reports an unreachable Temporal server as unhealthy', async () => {
    const o = createOrchestrator(withTemporal({ address: '127.0.0.1:1' }))._unsafeUnwrap();
    const report = await o.check();
    expect(report.status).toBe('unhealthy');
    expect(report.checks.find((c) => c.component === 'temporal')?.status).toBe('unhealthy');
    await o.shutdown();
  });
});
