import { OrchestrationError, runnable, type StepContext } from '@baton/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dagEdges, type EdgeKind } from '../test/support.js';
import { createGraph, withGraphFailFast, withGraphMaxWorkers } from './index.js';

type Kind = EdgeKind;
interface Spec {
  nodes: { delay: number; fails: boolean }[];
  edges: { from: number; to: number; kind: Kind }[];
  maxWorkers: number;
  failFast: boolean;
  input: number;
}

const name = (i: number): string => `n${i}`;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Key order of a fan-in record follows edge declaration order, which the reference does not model. */
const canonical = (input: unknown): string =>
  typeof input === 'object' && input !== null
    ? JSON.stringify(Object.entries(input).sort(([a], [b]) => a.localeCompare(b)))
    : (JSON.stringify(input) ?? 'undefined');
const outputOf = (i: number, input: unknown): number =>
  hash(`${name(i)}:${canonical(input)}`) % 1000;
const picks = (output: number, targets: readonly number[]): string[] =>
  targets.filter((t) => hash(`${output}>${t}`) % 2 === 0).map(name);

const specArb: fc.Arbitrary<Spec> = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc.record({
    nodes: fc.array(
      fc.record({
        delay: fc.constantFrom(-1, 0, 1, 2),
        fails: fc.integer({ min: 0, max: 99 }).map((x) => x < 15),
      }),
      { minLength: n, maxLength: n },
    ),
    edges: dagEdges(n),
    maxWorkers: fc.integer({ min: 1, max: 6 }),
    failFast: fc.boolean(),
    input: fc.integer({ min: 0, max: 100 }),
  }),
);

const conditionalTargets = (spec: Spec, i: number): number[] =>
  spec.edges.filter((e) => e.from === i && e.kind === 'conditional').map((e) => e.to);

type Fate = { state: 'succeeded'; output: number } | { state: 'failed' } | { state: 'skipped' };

/** Parents that run must end before their children start; parents that never run settle without running. */
/** The semantics, written as simply as possible: one node at a time in index order (a topological order). */
function reference(spec: Spec): {
  fates: Fate[];
  ran: Set<number>;
  result: { ok: true; value: unknown } | { ok: false };
} {
  const n = spec.nodes.length;
  const fates: Fate[] = [];
  const ran = new Set<number>();
  for (let i = 0; i < n; i++) {
    const parents = spec.edges.filter((e) => e.to === i);
    const blocking = parents.filter((e) => e.kind !== 'optional');
    const fateOf = (p: number) => fates[p] as Fate;
    if (blocking.some((e) => fateOf(e.from).state === 'failed')) {
      fates.push({ state: 'failed' });
      continue;
    }
    const routedOut = blocking.some((e) => {
      const f = fateOf(e.from);
      return (
        f.state === 'succeeded' &&
        e.kind === 'conditional' &&
        !picks(f.output, conditionalTargets(spec, e.from)).includes(name(i))
      );
    });
    if (routedOut || blocking.some((e) => fateOf(e.from).state === 'skipped')) {
      fates.push({ state: 'skipped' });
      continue;
    }
    let input: unknown;
    if (parents.length === 0) input = spec.input;
    else if (parents.length === 1) {
      const f = fateOf((parents[0] as { from: number }).from);
      input = f.state === 'succeeded' ? f.output : undefined;
    } else {
      const record: Record<string, number> = {};
      for (const e of parents) {
        const f = fateOf(e.from);
        if (f.state === 'succeeded') record[name(e.from)] = f.output;
      }
      input = record;
    }
    ran.add(i);
    fates.push(
      (spec.nodes[i] as { fails: boolean }).fails
        ? { state: 'failed' }
        : { state: 'succeeded', output: outputOf(i, input) },
    );
  }
  const sinks = [...Array(n).keys()].filter((i) => !spec.edges.some((e) => e.from === i));
  if (sinks.some((s) => (fates[s] as Fate).state === 'failed'))
    return { fates, ran, result: { ok: false } };
  const done = sinks.filter((s) => (fates[s] as Fate).state === 'succeeded');
  if (done.length === 0) return { fates, ran, result: { ok: false } };
  if (sinks.length === 1)
    return {
      fates,
      ran,
      result: { ok: true, value: (fates[sinks[0] as number] as { output: number }).output },
    };
  return {
    fates,
    ran,
    result: {
      ok: true,
      value: Object.fromEntries(
        done.map((s) => [name(s), (fates[s] as { output: number }).output]),
      ),
    },
  };
}

/** Waits `ms`, or rejects as soon as `signal` aborts (as a well-behaved node does). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs the graph once per input, concurrently, with checks inside every node. */
async function execute(spec: Spec, ran: ReadonlySet<number>, inputs: readonly number[]) {
  const ended = new Map<string, Set<number>>();
  const started = new Map<string, number[]>();
  const violations: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const graph = createGraph(
    withGraphMaxWorkers(spec.maxWorkers),
    withGraphFailFast(spec.failFast),
  )._unsafeUnwrap();
  spec.nodes.forEach((node, i) => {
    const fn = async (input: unknown, ctx: StepContext) => {
      const done = ended.get(ctx.runId) ?? new Set<number>();
      ended.set(ctx.runId, done);
      started.set(ctx.runId, [...(started.get(ctx.runId) ?? []), i]);
      for (const e of spec.edges)
        if (e.to === i && ran.has(e.from) && !done.has(e.from))
          violations.push(`${name(i)} started before ${name(e.from)} ended`);
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        if (node.delay >= 0) await delay(node.delay, ctx.signal);
        if (node.fails)
          throw new OrchestrationError('execution_failed', `${name(i)} fails`, {
            retryable: false,
          });
        return outputOf(i, input);
      } finally {
        running--;
        done.add(i);
      }
    };
    graph.addNode(name(i), runnable(name(i), fn))._unsafeUnwrap();
  });
  for (const e of spec.edges)
    if (e.kind !== 'conditional')
      graph.addEdge(name(e.from), name(e.to), { required: e.kind === 'required' })._unsafeUnwrap();
  spec.nodes.forEach((_, i) => {
    const targets = conditionalTargets(spec, i);
    if (targets.length > 0)
      graph
        .addConditionalEdges(name(i), (out: number) => picks(out, targets), targets.map(name))
        ._unsafeUnwrap();
  });
  const results = await Promise.all(
    inputs.map((input, k) => graph.invoke(input, { runId: `run-${k}` })),
  );
  return {
    results,
    started: inputs.map((_, k) => started.get(`run-${k}`) ?? []),
    violations,
    maxRunning,
  };
}

function checkRun(
  spec: Spec,
  expected: ReturnType<typeof reference>,
  result: Awaited<ReturnType<typeof execute>>['results'][number],
  started: number[],
): void {
  expect(new Set(started).size).toBe(started.length); // each node at most once
  expect(result.isOk()).toBe(expected.result.ok);
  if (expected.result.ok) expect(result._unsafeUnwrap()).toEqual(expected.result.value);
  if (spec.failFast) {
    for (const i of started) expect(expected.ran.has(i)).toBe(true);
    return;
  }
  expect(new Set(started)).toEqual(expected.ran);
  if (result.isErr() && result.error.details.outputs !== undefined) {
    const succeeded = expected.fates.flatMap((f, i) =>
      f.state === 'succeeded' ? [[name(i), f.output] as const] : [],
    );
    expect(result.error.details.outputs).toEqual(Object.fromEntries(succeeded));
  }
}

describe('graph execution against a sequential reference (property)', () => {
  it('same outputs; nodes start only after their dependencies; never more than maxWorkers at once', async () => {
    await fc.assert(
      fc.asyncProperty(specArb, async (spec) => {
        const expected = reference(spec);
        const actual = await execute(spec, expected.ran, [spec.input]);
        expect(actual.violations).toEqual([]);
        expect(actual.maxRunning).toBeLessThanOrEqual(spec.maxWorkers);
        checkRun(spec, expected, actual.results[0]!, actual.started[0]!);
      }),
      { numRuns: 120 },
    );
  }, 120_000);

  it('concurrent runs of one graph share maxWorkers and each matches the reference', async () => {
    await fc.assert(
      fc.asyncProperty(
        specArb,
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 2, maxLength: 4 }),
        async (spec, inputs) => {
          const actual = await execute(spec, new Set(), inputs);
          expect(actual.maxRunning).toBeLessThanOrEqual(spec.maxWorkers);
          inputs.forEach((input, k) => {
            const expected = reference({ ...spec, input });
            checkRun(spec, expected, actual.results[k]!, actual.started[k]!);
          });
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it('after an abort no node starts, running nodes stop, and the run reports task_canceled', async () => {
    await fc.assert(
      fc.asyncProperty(specArb, fc.integer({ min: 0, max: 4 }), async (spec, abortAfterMs) => {
        const controller = new AbortController();
        let abortedAt = Infinity;
        const startedAt: number[] = [];
        let running = 0;
        const graph = createGraph(
          withGraphMaxWorkers(spec.maxWorkers),
          withGraphFailFast(spec.failFast),
        )._unsafeUnwrap();
        spec.nodes.forEach((node, i) => {
          const fn = async (input: unknown, ctx: StepContext) => {
            startedAt.push(performance.now());
            running++;
            try {
              await delay(Math.max(node.delay, 0) + 1, ctx.signal);
              return outputOf(i, input);
            } finally {
              running--;
            }
          };
          graph.addNode(name(i), runnable(name(i), fn))._unsafeUnwrap();
        });
        for (const e of spec.edges)
          graph
            .addEdge(name(e.from), name(e.to), { required: e.kind === 'required' })
            ._unsafeUnwrap();
        const result = graph.invoke(spec.input, { signal: controller.signal });
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort();
        }, abortAfterMs);
        const settled = await result;
        if (settled.isErr()) {
          expect(settled.error.code).toBe('task_canceled');
          expect(startedAt.every((t) => t <= abortedAt)).toBe(true);
          await new Promise((r) => setTimeout(r, 0));
          expect(running).toBe(0);
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
