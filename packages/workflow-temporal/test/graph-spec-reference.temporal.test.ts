/**
 * A spec over `inlineSpecMaxBytes` goes by reference: the execution's input carries its
 * fingerprint only and the worker supplies the spec (`batonGraphSpec` local activity).
 */
import { withGraphInterpreter } from '@baton/workflow-temporal';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleBatonWorkflows, quietRuntime, startGraphWorker } from './graph-harness.js';
import { dagGraph, expectedOutputs, layeredDag, nodeRunnables } from './fixtures/layered-graph.js';

const server = inject('temporal');

describe.runIf(server !== undefined)('graph spec by reference', () => {
  const { address, namespace } = server ?? { address: '', namespace: '' };
  let bundle: WorkflowBundle;
  let connection: Connection;
  let client: Client;
  const dag = layeredDag(3, 4, 'r');
  const graph = dagGraph('by-reference', dag, nodeRunnables(dag), 8);

  beforeAll(async () => {
    quietRuntime();
    bundle = await bundleBatonWorkflows();
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
  }, 60_000);

  afterAll(async () => {
    await connection?.close();
  });

  it('runs a graph whose input carries only the fingerprint, across continue-as-new', async () => {
    const harness = await startGraphWorker({ address, namespace }, bundle, { graphs: [graph] });
    try {
      const wf = harness.workflow(
        graph,
        withGraphInterpreter({ inlineSpecMaxBytes: 1, continueAsNewAfterEvents: 15 }),
      );
      const run = (await wf.execute(1))._unsafeUnwrap();
      const result = (await wf.getResult(run.workflowId))._unsafeUnwrap();
      expect(result.outputs).toEqual(expectedOutputs(dag, 1));
      expect(result.runs).toBeGreaterThan(1);
      const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      const input = JSON.parse(
        Buffer.from(started?.input?.payloads?.[0]?.data ?? new Uint8Array()).toString(),
      ) as Record<string, unknown>;
      expect(input).not.toHaveProperty('spec');
      expect(input['fingerprint']).toBe(graph.toSpec()._unsafeUnwrap().fingerprint);
    } finally {
      await harness.close();
    }
  });

  it('fails with not_found naming the fix when the worker does not serve the graph', async () => {
    const harness = await startGraphWorker({ address, namespace }, bundle, {
      activities: nodeRunnables(dag),
    });
    try {
      const wf = harness.workflow(graph, withGraphInterpreter({ inlineSpecMaxBytes: 1 }));
      const run = (await wf.execute(1))._unsafeUnwrap();
      const error = (await wf.getResult(run.workflowId))._unsafeUnwrapErr();
      expect(error.code).toBe('not_found');
      expect(error.message).toContain('createBatonWorker({ graphs })');
    } finally {
      await harness.close();
    }
  });
});
