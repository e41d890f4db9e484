/**
 * Versioning: the interpreter replays recorded histories without non-determinism, and its bundle
 * holds sandbox-safe code only. Re-record the fixture (after a deliberate, `patched`-guarded
 * change) with BATON_RECORD_HISTORY=1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { OrchestrationError, runnable } from '@baton/core';
import { createGraph, withGraphFailFast, withGraphName, withNodeTriggerRule } from '@baton/graph';
import { withGraphInterpreter } from '@baton/workflow-temporal';
import { Client, Connection } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { err } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bundleBatonWorkflows,
  quietRuntime,
  startGraphWorker,
  type GraphWorkerHarness,
} from './graph-harness.js';

const server = inject('temporal');
const fixture = new URL('./fixtures/baton-graph-history.json', import.meta.url);

const split = runnable('split', (text: string) => text.split(' '));
const words = runnable('words', (list: string[]) => list.length);
const shout = runnable('shout', (list: string[]) => list.map((w) => w.toUpperCase()));
const fails = runnable('fails', () => err(new OrchestrationError('invalid_input', 'no')));
const summary = runnable('summary', (parts: Record<string, unknown>) => parts);
function bySize(list: string[]): string[] {
  return list.length > 2 ? ['words', 'shout'] : ['words'];
}

/** A router, an absorbed failure and a join: the commands the interpreter issues. */
function recorded() {
  const g = createGraph<string>(
    withGraphName('recorded'),
    withGraphFailFast(false),
  )._unsafeUnwrap();
  g.addNode('split', split)._unsafeUnwrap();
  g.addNode('words', words)._unsafeUnwrap();
  g.addNode('shout', shout)._unsafeUnwrap();
  g.addNode('fails', fails)._unsafeUnwrap();
  g.addNode('summary', summary, withNodeTriggerRule('all_done'))._unsafeUnwrap();
  g.addConditionalEdges('split', bySize, ['words', 'shout'])._unsafeUnwrap();
  g.addEdge('split', 'fails')._unsafeUnwrap();
  for (const from of ['words', 'shout', 'fails']) g.addEdge(from, 'summary')._unsafeUnwrap();
  return g;
}

describe.runIf(server !== undefined)('the interpreter replays its histories', () => {
  const where = server ?? { address: '', namespace: '' };
  let bundle: WorkflowBundle;
  let h: GraphWorkerHarness;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    quietRuntime();
    bundle = await bundleBatonWorkflows();
    h = await startGraphWorker(where, bundle, { graphs: [recorded()] });
    connection = await Connection.connect({ address: where.address });
    client = new Client({ connection, namespace: where.namespace });
  });

  afterAll(async () => {
    await connection?.close();
    await h?.close();
  });

  it('replays a fresh history, across continue-as-new, without non-determinism', async () => {
    const wf = h.workflow(recorded(), withGraphInterpreter({ continueAsNewAfterEvents: 12 }));
    const run = (await wf.execute('one two three'))._unsafeUnwrap();
    const result = (await wf.getResult(run.workflowId))._unsafeUnwrap();
    expect(result.output).toEqual({ words: 3, shout: ['ONE', 'TWO', 'THREE'] });
    expect(result.runs).toBeGreaterThan(1);
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle }, history, run.workflowId),
    ).resolves.toBeUndefined();
    if (process.env.BATON_RECORD_HISTORY === '1') {
      const latest = await client.workflow.getHandle(run.workflowId).fetchHistory();
      writeFileSync(fixture, `${historyToJSON(latest)}\n`);
    }
  });

  it('replays the committed history of the interpreter', async () => {
    const history = historyFromJSON(JSON.parse(readFileSync(fixture, 'utf8')));
    expect(history.events?.length).toBeGreaterThan(10);
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle }, history, 'recorded'),
    ).resolves.toBeUndefined();
  });

  it('bundles without Node built-ins, the OpenTelemetry SDK, ioredis or rxjs', () => {
    // bundleWorkflowCode refuses Node built-ins outright; these would bundle silently.
    expect(bundle.code).toContain('batonGraph');
    expect(bundle.code).toContain('scheduling/scheduler');
    for (const banned of ['@opentelemetry/sdk', 'ioredis', 'node_modules/rxjs']) {
      expect(bundle.code, banned).not.toContain(banned);
    }
    expect(bundle.code).not.toMatch(
      /require\(["'](node:)?(fs|net|http|https|crypto|child_process|os|path|worker_threads)["']\)/,
    );
  });
});
