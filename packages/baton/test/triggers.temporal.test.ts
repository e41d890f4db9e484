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
import { from } from 'rxjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createOrchestrator,
  fromObservable,
  withTemporal,
  withTriggerInput,
  withTriggerName,
  withWorkflowTaskQueue,
  type TriggerActivity,
} from '../src/index.js';

const server = inject('temporal');
const taskQueue = `baton-trigger-${newRunId()}`;
const greeted: string[] = [];
const greet = runnable('greet', (name: string) => {
  greeted.push(name);
  if (name === 'nobody') throw new Error('cannot greet nobody');
  return `hello ${name}`;
});

describe.runIf(server !== undefined)('a trigger with a Temporal workflow target', () => {
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

  it('starts one execution per event id (workflow id = run id); a redelivery attaches, never reruns', async () => {
    const o = createOrchestrator(
      withTemporal({ address, namespace }),
      withWorkflowTaskQueue(taskQueue),
    )._unsafeUnwrap();
    const workflow = o.createWorkflow<BatonRunnableInput, string>('batonRunnable')._unsafeUnwrap();
    const name = `t${newRunId().slice(0, 8)}`;
    const make = (names: string[]) =>
      o
        .createTrigger(
          fromObservable(from(names), { id: (n) => n })._unsafeUnwrap(),
          workflow,
          withTriggerName(name),
          withTriggerInput<string>((event) => ({ activity: 'greet', input: event.payload })),
        )
        ._unsafeUnwrap();
    const first = make(['ada', 'grace', 'ada']);
    first.start()._unsafeUnwrap();
    await first.done;
    expect([...greeted].sort()).toEqual(['ada', 'grace']);
    expect(first.stats()).toMatchObject({ started: 2, completed: 3 });
    expect(await workflow.getResult(`${name}:grace`)).toEqual(ok('hello grace'));

    const second = make(['grace']);
    const seen: TriggerActivity[] = [];
    second.events$.subscribe((a) => seen.push(a));
    second.start()._unsafeUnwrap();
    await second.done;
    expect([...greeted].sort()).toEqual(['ada', 'grace']);
    expect(seen.map((a) => a.type)).toEqual(['received', 'resumed', 'completed', 'ended']);
    await o.shutdown();
  });
});
