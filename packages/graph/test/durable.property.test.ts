/**
 * Durable runs with interrupts, loops and maps (property): a checkpointed run that is canceled
 * at random points (a crash as the process sees it) and interrupted by nodes asking for answers,
 * then resumed until it ends, gives the output of a clean run that had the answers from the
 * start; and no loop iteration or map item runs again once its record is stored.
 */
import { OrchestrationError, type Graph } from '@baton/core';
import { BaseRunnable, type ExecutionContext } from '@baton/core/authoring';
import fc from 'fast-check';
import type { Result } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import {
  createGraph,
  withGraphCheckpointer,
  withGraphMaxWorkers,
  withGraphName,
  withNodeInput,
  withNodeLoop,
  withNodeMap,
} from '../src/index.js';
import type { NodeRun } from '../src/internal/run-scope.js';
import { RecordingStore } from './support.js';

type NodeKind =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'ask' }
  | { readonly kind: 'loop'; readonly asks: boolean }
  | {
      readonly kind: 'map';
      readonly items: number;
      readonly concurrency: number;
      readonly asks: boolean;
    };

interface Spec {
  readonly nodes: readonly NodeKind[];
  readonly edges: readonly { from: number; to: number; required: boolean }[];
  readonly maxWorkers: number;
}

const RUN_ID = 'prop';
/** What the generated cases exercised, over all of them (checked to be more than nothing). */
const exercised = { repeats: 0, interrupts: 0, crashes: 0 };

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
const canonical = (value: unknown): string =>
  typeof value === 'object' && value !== null
    ? JSON.stringify(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
    : (JSON.stringify(value) ?? 'undefined');
/** The answer a human gives to the interrupt under `key`. */
const answerFor = (key: string): number => hash(`answer:${key}`) % 1000;

const nodeArb: fc.Arbitrary<NodeKind> = fc.oneof(
  fc.constant({ kind: 'leaf' as const }),
  fc.constant({ kind: 'ask' as const }),
  fc.record({ kind: fc.constant('loop' as const), asks: fc.boolean() }),
  fc.record({
    kind: fc.constant('map' as const),
    items: fc.integer({ min: 0, max: 5 }),
    concurrency: fc.integer({ min: 1, max: 3 }),
    asks: fc.boolean(),
  }),
);

const specArb: fc.Arbitrary<Spec> = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.record({
    nodes: fc.array(nodeArb, { minLength: n, maxLength: n }),
    edges: fc
      .array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.boolean()), { maxLength: n * 2 })
      .map((raw) => {
        const seen = new Set<string>();
        return raw.flatMap(([a, b, required]) => {
          const key = `${Math.min(a, b)}>${Math.max(a, b)}`;
          if (a === b || seen.has(key)) return [];
          seen.add(key);
          return [{ from: Math.min(a, b), to: Math.max(a, b), required }];
        });
      }),
    maxWorkers: fc.integer({ min: 1, max: 3 }),
  }),
);

/** How node functions behave in one phase, and what they saw. */
class Probe {
  /** The phase is canceled when the `cancelAt`-th node function starts. */
  cancelAt = Infinity;
  started = 0;
  cancel: () => void = () => undefined;
  readonly violations: string[] = [];

  constructor(
    /** `undefined`: the clean run, whose asking nodes already know the answers. */
    readonly store: RecordingStore | undefined,
  ) {}

  /** A function starts: cancel the phase at the chosen point; check repeat records. */
  begin(ctx: ExecutionContext, repeat: 'item' | 'iteration' | undefined, input: unknown): void {
    if (++this.started === this.cancelAt) this.cancel();
    const store = this.store;
    const token = ctx.enclosing as NodeRun | undefined;
    if (store === undefined || repeat === undefined || token === undefined) return;
    const [node, index] = token.node.split('/') as [string, string];
    const logId = `${token.scope.checkpointId}/${node}`;
    // A log of another input is deleted before the node's first item or iteration starts, so
    // a succeeded record found here is one this execution should have restored.
    const record = store.nodes.get(logId)?.get(index);
    if (record?.status === 'succeeded')
      this.violations.push(`${logId} ${repeat} ${index} ran again on ${canonical(input)}`);
    exercised.repeats++;
  }
}

/** Asks (or, in the clean run, already knows) the answer under `key`. */
function ask(probe: Probe, ctx: ExecutionContext, key: string): number {
  if (probe.store === undefined) return answerFor(key);
  return (ctx.interrupt as (payload: unknown) => number)({ key });
}

class Fn extends BaseRunnable<unknown, number> {
  constructor(
    readonly name: string,
    private readonly probe: Probe,
    private readonly node: NodeKind,
  ) {
    super();
  }

  override async run(input: unknown, ctx: ExecutionContext): Promise<number> {
    const node = this.node;
    const repeat = node.kind === 'map' ? 'item' : node.kind === 'loop' ? 'iteration' : undefined;
    this.probe.begin(ctx, repeat, input);
    await Promise.resolve();
    let out = hash(`${this.name}:${canonical(input)}`) % 100_000;
    const key = (ctx.enclosing as NodeRun | undefined)?.node ?? this.name;
    if (node.kind === 'ask') out += ask(this.probe, ctx, key);
    // the second iteration of an asking loop, the second item of an asking map
    if ((node.kind === 'loop' || node.kind === 'map') && node.asks && key.endsWith('/1'))
      out += ask(this.probe, ctx, key);
    if (node.kind === 'loop' && node.asks && key.endsWith('/2')) out += ask(this.probe, ctx, key);
    return out;
  }
}

function stopsAt(output: number): boolean {
  return output % 3 === 0;
}

function build(spec: Spec, probe: Probe): Graph<number> {
  const store = probe.store;
  const graph = createGraph<number>(
    withGraphName('durable'),
    withGraphMaxWorkers(spec.maxWorkers),
    ...(store === undefined ? [] : [withGraphCheckpointer(store)]),
  )._unsafeUnwrap();
  spec.nodes.forEach((node, i) => {
    const name = `n${i}`;
    const fn = new Fn(name, probe, node);
    if (node.kind === 'map') {
      const items = (parents: Readonly<Record<string, unknown>>, input: unknown) =>
        Array.from({ length: node.items }, (_, k) => `${canonical(parents)}|${String(input)}|${k}`);
      graph
        .addNode(name, fn, withNodeMap({ concurrency: node.concurrency }), withNodeInput(items))
        ._unsafeUnwrap();
    } else if (node.kind === 'loop') {
      graph.addNode(name, fn, withNodeLoop({ until: stopsAt, maxIterations: 4 }))._unsafeUnwrap();
    } else graph.addNode(name, fn)._unsafeUnwrap();
  });
  for (const e of spec.edges)
    graph.addEdge(`n${e.from}`, `n${e.to}`, { required: e.required })._unsafeUnwrap();
  return graph;
}

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };
const outcome = (result: Result<unknown, OrchestrationError>): Outcome =>
  result.isOk()
    ? { ok: true, value: result.value }
    : { ok: false, code: result.error.code, message: result.error.message };

async function crashAndResume(
  spec: Spec,
  input: number,
  cancels: readonly number[],
  newProcess: boolean,
): Promise<void> {
  const reference = outcome(await build(spec, new Probe(undefined)).invoke(input));
  const store = new RecordingStore();
  const probe = new Probe(store);
  let graph = build(spec, probe);
  let answers: Record<string, unknown> = {};
  let last: Outcome | undefined;
  for (let phase = 0; phase < 40; phase++) {
    const controller = new AbortController();
    probe.started = 0;
    probe.cancelAt = cancels[phase] ?? Infinity;
    probe.cancel = () => controller.abort();
    if (phase > 0 && newProcess) graph = build(spec, probe);
    const { signal } = controller;
    const handle =
      phase === 0
        ? graph.start(input, { runId: RUN_ID, signal })._unsafeUnwrap()
        : (await graph.resume(RUN_ID, { signal, answers }))._unsafeUnwrap();
    const result = await handle.result;
    if (handle.status() === 'interrupted') {
      answers = Object.fromEntries(Object.keys(handle.interrupts()).map((k) => [k, answerFor(k)]));
      exercised.interrupts++;
      expect(store.runs.get(RUN_ID)?.status).toBe('interrupted');
      continue;
    }
    answers = {};
    if (signal.aborted && result.isErr()) {
      exercised.crashes++;
      continue; // "crashed": resume
    }
    last = outcome(result);
    break;
  }
  expect(last).toEqual(reference);
  expect(probe.violations).toEqual([]);
}

describe('durable runs with interrupts, loops and maps (property)', () => {
  it('end, after any crashes and resumes, with the output of a run that knew the answers', async () => {
    await fc.assert(
      fc.asyncProperty(
        specArb,
        fc.integer({ min: 0, max: 50 }),
        fc.array(fc.integer({ min: 1, max: 15 }), { maxLength: 4 }),
        fc.boolean(),
        crashAndResume,
      ),
      { numRuns: 150 },
    );
    expect(exercised.repeats).toBeGreaterThan(0);
    expect(exercised.interrupts).toBeGreaterThan(0);
    expect(exercised.crashes).toBeGreaterThan(0);
  }, 120_000);
});
