/**
 * Properties of the pipeline compiler against a simple reference: any DAG of tasks, with any
 * mix of required and optional dependencies and `when` conditions, runs each task once with its
 * dependencies' outputs, skips what the rules say, and returns the sinks' outputs. And no input,
 * however malformed, makes parsing or validation throw.
 */
import { runnable } from '@baton/core';
import { graphFromSpec } from '@baton/graph';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  compilePipeline,
  parsePipeline,
  pipelineDiagnostics,
  validatePipeline,
  type ActionDefinition,
} from '../src/index.js';
import { actionLookup, testLookups } from './support/lookups.js';

interface TaskShape {
  readonly deps: readonly { readonly on: number; readonly required: boolean }[];
  /** The task's condition holds (absent: no condition). */
  readonly when?: boolean;
}

const dag = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.record(
        {
          deps: fc.uniqueArray(
            fc.record({ on: fc.nat({ max: Math.max(0, i - 1) }), required: fc.boolean() }),
            {
              maxLength: i === 0 ? 0 : Math.min(3, i),
              selector: (d) => d.on,
            },
          ),
          when: fc.boolean(),
        },
        { requiredKeys: ['deps'] },
      ),
    ),
  ),
);

/** What the compiled pipeline must do: which tasks run, and what each receives. */
function reference(tasks: readonly TaskShape[]) {
  const ran = new Map<number, string>();
  for (const [i, t] of tasks.entries()) {
    const requiredMissing = t.deps.some((d) => d.required && !ran.has(d.on));
    if (requiredMissing || t.when === false) continue;
    const seen = t.deps.filter((d) => ran.has(d.on)).map((d) => `t${d.on}=${ran.get(d.on) ?? ''}`);
    ran.set(i, `t${i}(${seen.sort().join(',')})`);
  }
  const sinks = tasks
    .map((_, i) => i)
    .filter((i) => !tasks.some((t) => t.deps.some((d) => d.on === i)));
  return Object.fromEntries(sinks.filter((i) => ran.has(i)).map((i) => [`t${i}`, ran.get(i)]));
}

function fileOf(tasks: readonly TaskShape[]): string {
  return stringify({
    id: 'prop',
    inputs: { go: { type: 'boolean', default: true } },
    tasks: tasks.map((t, i) => ({
      id: `t${i}`,
      action: 'record',
      parameters: { self: `t${i}` },
      ...(t.deps.length > 0
        ? { dependencies: t.deps.map((d) => ({ id: `t${d.on}`, required: d.required })) }
        : {}),
      ...(t.when === undefined ? {} : { when: t.when ? 'input.go == true' : 'input.go == false' }),
    })),
  });
}

/** Answers `self(dep=output,...)` from the outputs it received. */
const record: ActionDefinition = {
  name: 'record',
  runnable: runnable('record', (input: Record<string, unknown>) => {
    const deps = Object.entries(input)
      .filter(([k, v]) => k !== 'self' && v !== undefined)
      .map(([k, v]) => `${k}=${String(v)}`);
    return `${String(input.self)}(${deps.sort().join(',')})`;
  }),
};

describe('compiled pipelines (property)', () => {
  it('run like the reference for any DAG of tasks, dependencies and conditions', async () => {
    const lookups = { actions: actionLookup(record) };
    await fc.assert(
      fc.asyncProperty(dag, async (tasks) => {
        const compiled = parsePipeline(fileOf(tasks))
          .andThen((p) => validatePipeline(p, lookups))
          .andThen((p) => compilePipeline(p, lookups))
          ._unsafeUnwrap();
        const graph = graphFromSpec(
          JSON.parse(JSON.stringify(compiled.spec)),
          compiled,
        )._unsafeUnwrap();
        const out = (await graph.invoke({}))._unsafeUnwrap();
        expect(out).toEqual(reference(tasks));
      }),
      { numRuns: 60 },
    );
  });
});

describe('malformed files (property)', () => {
  it('never make parsing or validation throw, and every diagnostic has a position', () => {
    const lookups = testLookups();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc
            .jsonValue()
            .map((v) =>
              stringify({ id: 'x', tasks: [v, { id: 'a', action: 'echo', parameters: v }] }),
            ),
        ),
        (text) => {
          const result = parsePipeline(text, { file: 'f' }).andThen((p) =>
            validatePipeline(p, lookups),
          );
          if (result.isOk()) return;
          for (const d of pipelineDiagnostics(result.error)) {
            expect(d.line).toBeGreaterThanOrEqual(1);
            expect(d.col).toBeGreaterThanOrEqual(1);
            expect(d.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
