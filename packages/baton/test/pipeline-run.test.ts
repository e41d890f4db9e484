import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrchestrationError, runnable } from '@baton/core';
import { graphFromSpec } from '@baton/graph';
import { describe, expect, it } from 'vitest';
import {
  compilePipeline,
  loadPipelineFile,
  parsePipeline,
  resolvePipelineInput,
  validatePipeline,
  type ActionDefinition,
  type CompiledPipeline,
} from '../src/index.js';
import {
  actionLookup,
  echoAction,
  fakeGenerateText,
  testLookups,
  type Calls,
} from './support/lookups.js';

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

function counting(name: string, fn: (input: Record<string, unknown>, attempt: number) => unknown) {
  let attempts = 0;
  const definition: ActionDefinition = {
    name,
    runnable: runnable(name, (input: Record<string, unknown>) => fn(input, ++attempts)),
  };
  return { definition, attempts: () => attempts };
}

async function runWith(text: string, input: unknown, ...extra: ActionDefinition[]) {
  const calls: Calls = [];
  const base = testLookups(calls);
  const lookups = {
    ...base,
    actions: actionLookup(fakeGenerateText(calls), echoAction(calls), ...extra),
  };
  const compiled = parsePipeline(text, { file: 'p.yaml' })
    .andThen((parsed) => validatePipeline(parsed, lookups))
    .andThen((pipeline) => compilePipeline(pipeline, lookups))
    ._unsafeUnwrap();
  // Through JSON, as a Temporal worker receives it.
  const spec: unknown = JSON.parse(JSON.stringify(compiled.spec));
  const graph = graphFromSpec(spec, compiled)._unsafeUnwrap();
  return { result: await graph.invoke(input), calls, compiled };
}

describe('running compiled pipelines', () => {
  it('skips a task whose when is false; required dependents are skipped, optional ones run', async () => {
    const { result, calls } = await runWith(
      `id: gates
inputs:
  threshold: { type: number, default: 0.5 }
tasks:
  - id: score
    action: echo
    parameters: { value: 0.2 }
  - id: escalate
    action: echo
    dependencies: [score]
    when: "score.value > threshold"
  - id: notify
    action: echo
    dependencies: [escalate]
  - id: report
    action: echo
    dependencies: [score, { id: escalate, required: false }]
    parameters:
      escalated: "{escalate}"
      value: "{score.value}"
`,
      {},
    );
    expect(calls.map((c) => Object.keys(c))).toEqual([['value'], ['score', 'escalated', 'value']]);
    expect(result._unsafeUnwrap()).toEqual({
      report: { score: { value: 0.2 }, escalated: null, value: 0.2 },
    });
  });

  it('runs a task whose when is true with its dependencies and input', async () => {
    const { result } = await runWith(
      `id: gates
tasks:
  - id: score
    action: echo
    parameters: { value: 0.9, tags: [urgent] }
  - id: escalate
    action: echo
    dependencies: [score]
    when: '"urgent" in score.tags and input.level >= 2'
    parameters: { tags: "{score.tags}" }
`,
      { level: 2 },
    );
    expect(result._unsafeUnwrap()).toEqual({
      escalate: { score: { value: 0.9, tags: ['urgent'] }, tags: ['urgent'] },
    });
  });

  it('fails the run naming the task when its condition cannot be evaluated', async () => {
    const { result } = await runWith(
      `id: bad_when
tasks:
  - id: a
    action: echo
    parameters: { n: "text" }
  - id: b
    action: echo
    dependencies: [a]
    when: "a.n > 1"
`,
      {},
    );
    const error = result._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(
      'pipeline task "b": when "a.n > 1": cannot compare string > number',
    );
  });

  it('runs a dependent of an optional dependency that failed, which reads it as null', async () => {
    const failing = counting('flaky', () => {
      throw new Error('down');
    });
    const { result } = await runWith(
      `id: optional
tasks:
  - id: fetch
    action: flaky
  - id: use
    action: echo
    dependencies: [{ id: fetch, required: false }]
    parameters: { fetched: "{fetch}", note: "got {fetch}" }
`,
      {},
      failing.definition,
    );
    expect(result._unsafeUnwrap()).toEqual({ use: { fetched: null, note: 'got ' } });
  });

  it('retries a task as its retry says', async () => {
    const flaky = counting('flaky', (_input, attempt) => {
      if (attempt < 3)
        throw new OrchestrationError('execution_failed', 'try again', { retryable: true });
      return `ok after ${attempt}`;
    });
    const { result } = await runWith(
      `id: retries
tasks:
  - id: a
    action: flaky
    retry: { retries: 2, delay: 1ms }
`,
      {},
      flaky.definition,
    );
    expect(result._unsafeUnwrap()).toEqual({ a: 'ok after 3' });
    expect(flaky.attempts()).toBe(3);
  });

  it('shapes the result with outputs, which may read inputs and any task', async () => {
    const { result } = await runWith(
      `id: outputs
inputs:
  topic: string
  language: { type: string, default: en }
tasks:
  - id: draft
    action: generate_text
    parameters: { prompt: "Write about {topic} in {input.language}" }
  - id: review
    action: echo
    dependencies: [draft]
outputs:
  text: "{draft}"
  meta: { topic: "{topic}", reviewed: "{review.draft}" }
`,
      { topic: 'owls' },
    );
    expect(result._unsafeUnwrap()).toEqual({
      text: 'text(Write about owls in en)',
      meta: { topic: 'owls', reviewed: 'text(Write about owls in en)' },
    });
  });

  it('fails a run whose input does not match the declared inputs', async () => {
    const { result, calls } = await runWith(
      `id: typed
inputs:
  count: integer
tasks:
  - id: a
    action: echo
    parameters: { n: "{count}" }
`,
      { count: 'three', extra: 1 },
    );
    expect(result._unsafeUnwrapErr().message).toContain(
      'input "count" must be an integer, got "three"; undeclared input "extra" (declared: count)',
    );
    expect(calls).toEqual([]);
  });

  it('passes substituted text on as it is: a value that looks like a template stays literal', async () => {
    const { result } = await runWith(DOCUMENT_PIPELINE, {
      document: '{summarize} {input.secret} {{x}}',
      secret: 's',
    });
    expect(result._unsafeUnwrap()).toEqual({
      summarize:
        'text(Summarize these facts: text(Extract key facts from: {summarize} {input.secret} {{x}}))',
    });
  });

  it('lets a parameter win over a dependency output of the same name', async () => {
    const { result } = await runWith(
      `id: clash
tasks:
  - id: a
    action: echo
    parameters: { v: 1 }
  - id: b
    action: echo
    dependencies: [a]
    parameters: { a: "mine" }
`,
      {},
    );
    expect(result._unsafeUnwrap()).toEqual({ b: { a: 'mine' } });
  });

  it('records priorities, retries, timeouts and caches in the spec', () => {
    const { spec } = compile(`id: settings
settings: { maxWorkers: 2, timeout: 1m, retries: 1, failFast: false }
tasks:
  - id: a
    action: echo
    priority: 0
    timeout: 1.5s
    cache: { ttl: 5m }
    retry: 3
  - id: b
    action: echo
    when: "true"
`);
    expect(spec.settings).toMatchObject({
      maxWorkers: 2,
      timeoutMs: 60_000,
      retries: 1,
      failFast: false,
    });
    expect(spec.nodes.find((n) => n.name === 'a')).toMatchObject({
      runnable: 'settings/a',
      priority: 0,
      timeoutMs: 1500,
      retries: 3,
      cache: { ttlMs: 300_000 },
    });
    expect(spec.nodes.map((n) => n.name)).toEqual(['$input', 'a', '$when:b', 'b', '$outputs']);
    expect(spec.conditionalEdges).toEqual([
      { from: '$when:b', router: 'settings/$when:b', targets: ['b'] },
    ]);
    expect(spec.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('fails to compile with not_found when an action is not registered', () => {
    const lookups = testLookups();
    const pipeline = parsePipeline(DOCUMENT_PIPELINE)
      .andThen((p) => validatePipeline(p, lookups))
      ._unsafeUnwrap();
    const error = compilePipeline(pipeline, { actions: actionLookup() })._unsafeUnwrapErr();
    expect(error.code).toBe('not_found');
    expect(error.message).toBe(
      'compilePipeline: no action registered as "generate_text" (registered: none)',
    );
  });
});

describe('loading and parsing', () => {
  it('loads a file and reports a file that cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-pipeline-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(file, DOCUMENT_PIPELINE);
    const parsed = (await loadPipelineFile(file))._unsafeUnwrap();
    expect(parsed.file).toBe(file);
    expect(validatePipeline(parsed, testLookups()).isOk()).toBe(true);
    const missing = (await loadPipelineFile(join(dir, 'nope.yaml')))._unsafeUnwrapErr();
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain('cannot read pipeline file');
  });

  it('prints every diagnostic of a file in the error message, sorted by position', () => {
    const error = parsePipeline(
      'id: x\ntasks:\n  - id: a\n    action: nope\n  - id: b\n    action: echo\n    dependencies: [zz]\n',
      {
        file: 'x.yaml',
      },
    )
      .andThen((p) => validatePipeline(p, testLookups()))
      ._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toBe(
      'validatePipeline: 2 problems in x.yaml:\n' +
        'x.yaml:4:13: unknown action "nope"; registered: echo, generate_text\n' +
        'x.yaml:7:20: unknown dependency "zz"',
    );
  });

  it('refuses text that is not a string', () => {
    expect(parsePipeline(42 as unknown as string)._unsafeUnwrapErr().code).toBe('invalid_input');
  });

  it('resolves inputs: defaults, types and undeclared keys', () => {
    const pipeline = parsePipeline(
      'id: x\ninputs:\n  n: { type: integer, default: 1 }\n  s: string\ntasks:\n  - id: a\n    action: echo\n',
    )
      .andThen((p) => validatePipeline(p, testLookups()))
      ._unsafeUnwrap();
    expect(resolvePipelineInput(pipeline, { s: 'x' })._unsafeUnwrap()).toEqual({ n: 1, s: 'x' });
    expect(resolvePipelineInput(pipeline, {})._unsafeUnwrapErr().message).toBe(
      'resolvePipelineInput: pipeline "x": missing required input "s" (string)',
    );
    expect(resolvePipelineInput(pipeline, 'text')._unsafeUnwrapErr().code).toBe('invalid_input');
    expect(
      resolvePipelineInput(pipeline, JSON.parse('{"s":"x","__proto__":{"p":1}}'))._unsafeUnwrapErr()
        .message,
    ).toContain('input keys __proto__ are not allowed');
  });
});
