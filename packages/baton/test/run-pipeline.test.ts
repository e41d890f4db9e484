import { OrchestrationError, runnable, type RunEvent } from '@baton/core';
import { createInMemoryCheckpointStore } from '@baton/memory';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrchestrator,
  withCheckpointStore,
  withFeatures,
  type ModelInput,
  type Orchestrator,
} from '../src/index.js';

const DOCUMENT_PIPELINE = `id: document_pipeline
name: Document Processing Pipeline
tasks:
  - id: extract
    name: Extract Information
    action: generate_text
    parameters:
      prompt: "Extract key facts from: {document}"
  - id: summarize
    name: Summarize Facts
    action: generate_text
    parameters:
      prompt: "Summarize these facts: {extract}"
    dependencies:
      - extract
`;

/** A fake model answering `<name>(<prompt>)`. */
const echo = (name: string) => runnable(name, (input: ModelInput) => `${name}(${input.prompt})`);

function orchestrator(...options: Parameters<typeof createOrchestrator>): Orchestrator {
  const o = createOrchestrator(...options)._unsafeUnwrap();
  o.registerModel({
    name: 'small',
    capabilities: ['text'],
    costPerMTokIn: 0.1,
    costPerMTokOut: 0.4,
    runnable: echo('small'),
  })._unsafeUnwrap();
  return o;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-run-pipeline-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runPipeline with the document_pipeline from the issue', () => {
  it('runs the file exactly as written, with a fake model behind generate_text', async () => {
    const file = join(dir, 'document.yaml');
    await writeFile(file, DOCUMENT_PIPELINE);
    const o = orchestrator();
    const events: RunEvent[] = [];
    const run = await o.runPipeline(
      file,
      { document: 'Cats sleep 16 hours.' },
      { onEvent: (e) => events.push(e) },
    );
    expect(run._unsafeUnwrap().output).toEqual({
      summarize:
        'small(Summarize these facts: small(Extract key facts from: Cats sleep 16 hours.))',
    });
    expect(run._unsafeUnwrap().models).toEqual({ extract: ['small'], summarize: ['small'] });
    const modelChunks = events.filter((e) => e.type === 'chunk');
    expect(modelChunks.map((e) => e.type === 'chunk' && [e.path[0], e.chunk])).toEqual([
      ['extract', { kind: 'model', model: 'small', outcome: 'ok' }],
      ['summarize', { kind: 'model', model: 'small', outcome: 'ok' }],
    ]);
    expect(o.getMetrics()).toMatchObject({ activeGraphs: 0, totalExecutions: 1, errorCount: 0 });
  });

  it('falls back to the next model and names it per task', async () => {
    const o = orchestrator();
    o.registerModel({
      name: 'broken',
      capabilities: ['text'],
      costPerMTokIn: 0,
      costPerMTokOut: 0,
      runnable: runnable('broken', () => {
        throw new OrchestrationError('execution_failed', 'model down');
      }),
    })._unsafeUnwrap();
    const run = await o.runPipeline({ text: DOCUMENT_PIPELINE }, { document: 'd' });
    expect(run._unsafeUnwrap().models).toEqual({ extract: ['small'], summarize: ['small'] });
  });

  it('runs the same tasks with a LangChain fake chat model', async () => {
    const o = createOrchestrator()._unsafeUnwrap();
    o.registerModel({
      name: 'lc-fake',
      capabilities: ['text'],
      costPerMTokIn: 1,
      costPerMTokOut: 1,
      runnable: new FakeListChatModel({ responses: ['facts: cats sleep', 'cats sleep a lot'] }),
    })._unsafeUnwrap();
    const run = await o.runPipeline({ text: DOCUMENT_PIPELINE }, { document: 'Cats sleep.' });
    expect(run._unsafeUnwrap()).toMatchObject({
      output: { summarize: 'cats sleep a lot' },
      models: { extract: ['lc-fake'], summarize: ['lc-fake'] },
    });
  });

  it('fails with the missing input named, and counts the failed run', async () => {
    const o = orchestrator();
    const run = await o.runPipeline({ text: DOCUMENT_PIPELINE }, {});
    expect(run._unsafeUnwrapErr().message).toContain('"document"');
    expect(o.getMetrics()).toMatchObject({ totalExecutions: 1, errorCount: 1 });
  });
});

describe('runPipeline bad input', () => {
  it('reports every diagnostic of an invalid file at once', async () => {
    const o = orchestrator();
    const text = `id: bad
tasks:
  - id: a
    action: no_such_action
  - id: b
    action: generate_text
    parameters: { prompt: "{nowhere.x}" }
    dependencies: [missing]
`;
    const error = (await o.runPipeline({ text, file: 'bad.yaml' }, {}))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toMatch(/bad\.yaml:4:\d+: .*no_such_action/);
    expect(error.message).toContain('missing');
    expect(o.getMetrics().totalExecutions).toBe(0);
  });

  it('refuses a parameter a registered action schema refuses, before running', async () => {
    const o = orchestrator();
    const text = `id: p
tasks:
  - id: fetch
    action: http
    parameters: { url: "not a url" }
`;
    const error = (await o.runPipeline({ text }, {}))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('url');
  });

  it('fails with not_found for a file that does not exist', async () => {
    const error = (await orchestrator().runPipeline(join(dir, 'nope.yaml'), {}))._unsafeUnwrapErr();
    expect(error.code).toBe('not_found');
  });

  it('refuses a source that is no pipeline', async () => {
    const error = (await orchestrator().runPipeline(42 as never, {}))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_input');
  });

  it('refuses pipelines when graphs are disabled, and after shutdown', async () => {
    const off = orchestrator(withFeatures({ graphs: false }));
    const disabled = (await off.runPipeline({ text: DOCUMENT_PIPELINE }, {}))._unsafeUnwrapErr();
    expect(disabled.code).toBe('invalid_state');
    expect(disabled.message).toContain('withFeatures({ graphs: true })');
    const o = orchestrator();
    await o.shutdown();
    const after = (
      await o.runPipeline({ text: DOCUMENT_PIPELINE }, { document: 'd' })
    )._unsafeUnwrapErr();
    expect(after.code).toBe('invalid_state');
  });
});

describe('loadPipeline', () => {
  it('builds a checkpointed graph that start() runs and the store records', async () => {
    const store = createInMemoryCheckpointStore()._unsafeUnwrap();
    const o = orchestrator(withCheckpointStore(store));
    const loaded = (await o.loadPipeline({ text: DOCUMENT_PIPELINE }))._unsafeUnwrap();
    expect(loaded.pipeline.id).toBe('document_pipeline');
    const handle = loaded.graph.start({ document: 'd' }, { runId: 'run-1' })._unsafeUnwrap();
    expect((await handle.result).isOk()).toBe(true);
    const stored = (await store.loadRun('run-1'))._unsafeUnwrap();
    expect(stored.run.status).toBe('succeeded');
    expect(o.getMetrics()).toMatchObject({ activeGraphs: 0, totalExecutions: 1 });
  });
});
