/**
 * The same compiled pipeline on Temporal: the worker registers the compiled runnables and
 * routers (by the names the spec records), the interpreter runs the spec, and the result equals
 * the in-process run's, skips included.
 */
import { newRunId } from '@baton/core/authoring';
import { graphFromSpec } from '@baton/graph';
import {
  createTemporalGraphWorkflow,
  withTemporalAddress,
  withWorkflowTaskQueue,
} from '@baton/workflow-temporal';
import { createBatonWorker } from '@baton/workflow-temporal/worker';
import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { GraphSpec, OrchestrationError } from '@baton/core';
import type { Result } from 'neverthrow';
import { describe, expect, inject, it } from 'vitest';
import { compilePipeline, parsePipeline, validatePipeline } from '../src/index.js';
import { DOCUMENT_PIPELINE } from './support/document-pipeline.js';
import { testLookups } from './support/lookups.js';

const server = inject('temporal');

/** The value, or a test failure with the error's message (not `_unsafeUnwrap`'s). */
function must<T>(result: Result<T, OrchestrationError>): T {
  if (result.isErr()) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const GATED = `${DOCUMENT_PIPELINE}  - id: translate
    action: echo
    dependencies: [summarize]
    when: 'input.language != "en"'
    parameters: { text: "{summarize}", to: "{input.language}" }
  - id: archive
    action: echo
    dependencies: [{ id: translate, required: false }, summarize]
    parameters: { translated: "{translate}" }
`;

describe.runIf(server !== undefined)('a compiled pipeline on a real Temporal dev server', () => {
  it('gives the in-process result, skips included, from the same spec', async () => {
    const { address, namespace } = server ?? { address: '', namespace: '' };
    try {
      Runtime.install({
        logger: new DefaultLogger('ERROR'),
        telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
      });
    } catch {
      // installed by another suite in this process
    }
    const lookups = testLookups();
    const compiled = parsePipeline(GATED)
      .andThen((p) => validatePipeline(p, lookups))
      .andThen((p) => compilePipeline(p, lookups))
      ._unsafeUnwrap();
    const graph = graphFromSpec(compiled.spec, compiled)._unsafeUnwrap();
    const taskQueue = `baton-pipeline-${newRunId()}`;
    const worker = must(
      await createBatonWorker({ address, namespace, taskQueue, graphs: [graph] }),
    );
    const running = worker.run();
    const workflow = must(
      createTemporalGraphWorkflow(
        JSON.parse(JSON.stringify(compiled.spec)) as GraphSpec,
        withTemporalAddress(address, namespace),
        withWorkflowTaskQueue(taskQueue),
      ),
    );
    try {
      for (const input of [
        { document: 'Owls hunt.', language: 'en' },
        { document: 'Owls hunt.', language: 'fr' },
      ]) {
        const local = must(await graph.invoke(input));
        const id = must(await workflow.execute(input)).workflowId;
        const report = must(await workflow.getResult(id));
        expect(report.output).toEqual(local);
        expect(report.nodes.translate).toBe(input.language === 'en' ? 'skipped' : 'succeeded');
      }
    } finally {
      await workflow.close();
      (await worker.shutdown())._unsafeUnwrap();
      (await running)._unsafeUnwrap();
    }
  }, 120_000);
});
