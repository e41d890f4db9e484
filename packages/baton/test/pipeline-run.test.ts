import { graphFromSpec } from '@baton/graph';
import { describe, expect, it } from 'vitest';
import {
  compilePipeline,
  parsePipeline,
  validatePipeline,
  type CompiledPipeline,
} from '../src/index.js';
import { testLookups, type Calls } from './support/lookups.js';

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

function compile(text: string, calls: Calls = []): CompiledPipeline {
  const lookups = testLookups(calls);
  return parsePipeline(text, { file: 'p.yaml' })
    .andThen((parsed) => validatePipeline(parsed, lookups))
    .andThen((pipeline) => compilePipeline(pipeline, lookups))
    ._unsafeUnwrap();
}

async function run(text: string, input: unknown, calls: Calls = []) {
  const compiled = compile(text, calls);
  const graph = graphFromSpec(compiled.spec, compiled)._unsafeUnwrap();
  return graph.invoke(input);
}

describe('the document_pipeline from the issue', () => {
  it('runs exactly as written with document given as input', async () => {
    const calls: Calls = [];
    const result = await run(DOCUMENT_PIPELINE, { document: 'Cats sleep.' }, calls);
    expect(result._unsafeUnwrap()).toEqual({
      summarize: 'text(Summarize these facts: text(Extract key facts from: Cats sleep.))',
    });
    expect(calls).toEqual([
      { prompt: 'Extract key facts from: Cats sleep.' },
      {
        extract: 'text(Extract key facts from: Cats sleep.)',
        prompt: 'Summarize these facts: text(Extract key facts from: Cats sleep.)',
      },
    ]);
  });

  it('fails the run naming the missing input', async () => {
    const result = await run(DOCUMENT_PIPELINE, {}, []);
    expect(result._unsafeUnwrapErr().message).toContain('input "document" is missing');
  });
});
