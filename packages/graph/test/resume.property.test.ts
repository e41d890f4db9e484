/**
 * Resume equivalence (property): a checkpointed run that crashes or is canceled, then is
 * resumed (once or twice), ends with what a clean run without a store gives, and never runs a
 * node again for an input whose output the store already holds. Graphs nest two levels deep
 * (sometimes run twice by `sequence`), share one store, and have random optional and
 * conditional edges, retries, worker limits and fail-fast settings.
 */
import {
  OrchestrationError,
  sequence,
  type Graph,
  type NodeCheckpoint,
  type RunCheckpoint,
  type Runnable,
  type StoredRun,
} from '@baton/core';
import { BaseRunnable, type ExecutionContext } from '@baton/core/authoring';
import fc from 'fast-check';
import { ResultAsync, type Result } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGraph,
  withGraphCheckpointer,
  withGraphFailFast,
  withGraphMaxWorkers,
  withGraphName,
  withNodeRetries,
  withNodeRetryPolicy,
} from '../src/index.js';
import type { NodeRun } from '../src/internal/run-scope.js';
import { RecordingStore, tick } from './support.js';

type Kind = 'required' | 'optional' | 'conditional';
interface Edge {
  readonly from: number;
  readonly to: number;
  readonly kind: Kind;
}
interface GraphSpec {
  readonly nodes: readonly NodeSpec[];
  readonly edges: readonly Edge[];
  readonly maxWorkers: number;
  readonly failFast: boolean;
}
type NodeSpec =
  | { readonly kind: 'leaf'; readonly ticks: number; readonly retries: number }
  | {
      readonly kind: 'graph';
      /** `sequence(inner, inner)`: one node runs the inner graph twice. */
      readonly twice: boolean;
      readonly retries: number;
      readonly graph: GraphSpec;
    };

/** `fatal`: not retryable, once; `exhaust`: retryable, every call; `once`: retryable, once. */
type Mode = 'fatal' | 'exhaust' | 'once';

const OUTER = 'g';
const RUN_ID = 'run';

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const canonical = (value: unknown): string =>
  typeof value === 'object' && value !== null
    ? JSON.stringify(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
    : (JSON.stringify(value) ?? 'undefined');
/** 32 bits, so two different inputs of one node practically never give the same output. */
const outputOf = (graph: string, node: string, input: unknown): number =>
  hash(`${graph}/${node}:${canonical(input)}`);
const picks = (output: unknown, targets: readonly number[]): string[] =>
  targets.filter((t) => hash(`${canonical(output)}>${t}`) % 2 === 0).map((t) => `n${t}`);

const retriesArb = fc.constantFrom(0, 0, 0, 1, 2);

function edgesArb(n: number): fc.Arbitrary<Edge[]> {
  return fc
    .array(
      fc.tuple(
        fc.nat(n - 1),
        fc.nat(n - 1),
        fc.constantFrom<Kind>('required', 'optional', 'conditional'),
      ),
      { maxLength: n * 2 },
    )
    .map((raw) => {
      const seen = new Set<string>();
      const edges: Edge[] = [];
      for (const [a, b, kind] of raw) {
        const key = `${Math.min(a, b)}>${Math.max(a, b)}`;
        if (a === b || seen.has(key)) continue;
        seen.add(key);
        edges.push({ from: Math.min(a, b), to: Math.max(a, b), kind });
      }
      return edges;
    });
}

/** Microtasks every store call takes. */
const latencyArb = fc.constantFrom(0, 0, 1, 3);

const leafArb: fc.Arbitrary<NodeSpec> = fc.record({
  kind: fc.constant('leaf' as const),
  ticks: fc.nat(3),
  retries: retriesArb,
});

/** The outer graph has 2-6 nodes, nested ones 1-3; nesting stops two levels below the outer graph. */
function graphArb(depth: number): fc.Arbitrary<GraphSpec> {
  const node: fc.Arbitrary<NodeSpec> =
    depth >= 2
      ? leafArb
      : fc.oneof(
          { arbitrary: leafArb, weight: 2 },
          {
            arbitrary: fc.record({
              kind: fc.constant('graph' as const),
              twice: fc.boolean(),
              retries: retriesArb,
              graph: fc.constant(null).chain(() => graphArb(depth + 1)),
            }),
            weight: 1,
          },
        );
  return fc.integer({ min: depth === 0 ? 2 : 1, max: depth === 0 ? 6 : 3 }).chain((n) =>
    fc.record({
      nodes: fc.array(node, { minLength: n, maxLength: n }),
      edges: edgesArb(n),
      maxWorkers: fc.integer({ min: 1, max: 4 }),
      failFast: fc.boolean(),
    }),
  );
}

/**
 * A RecordingStore that keeps, for every run it saw start, the node records the run may reuse:
 * those its run id held when it was loaded just before (a resume, or a nested run deciding
 * whether to continue its stored run) if that stored run had the same input; otherwise the
 * records it starts over (none: a stored run of another input is deleted first).
 */
class StartStore extends RecordingStore {
  readonly atStart = new Map<string, ReadonlyMap<string, NodeCheckpoint>>();
  readonly #loaded = new Map<string, { input: unknown; nodes: Map<string, NodeCheckpoint> }>();

  /** Microtasks a call waits before it takes effect and answers, as a store over a network. */
  constructor(private readonly latency: number) {
    super();
  }

  #later<T>(call: () => ResultAsync<T, OrchestrationError>): ResultAsync<T, OrchestrationError> {
    if (this.latency === 0) return call();
    let wait = Promise.resolve();
    for (let i = 0; i < this.latency; i++) wait = wait.then(() => undefined);
    return new ResultAsync(wait.then(() => call()));
  }

  override loadRun(runId: string): ResultAsync<StoredRun, OrchestrationError> {
    return this.#later(() => {
      const run = this.runs.get(runId);
      if (run === undefined) this.#loaded.delete(runId);
      else this.#loaded.set(runId, { input: run.input, nodes: new Map(this.nodes.get(runId)) });
      return super.loadRun(runId);
    });
  }

  override saveRun(run: RunCheckpoint): ResultAsync<void, OrchestrationError> {
    return this.#later(() => {
      if (run.status === 'running') {
        const loaded = this.#loaded.get(run.runId);
        this.#loaded.delete(run.runId);
        this.atStart.set(
          run.runId,
          loaded !== undefined && canonical(loaded.input) === canonical(run.input)
            ? loaded.nodes
            : new Map(this.nodes.get(run.runId)),
        );
      }
      return super.saveRun(run);
    });
  }

  override saveNode(record: NodeCheckpoint): ResultAsync<void, OrchestrationError> {
    return this.#later(() => super.saveNode(record));
  }

  override deleteRun(runId: string): ResultAsync<void, OrchestrationError> {
    return this.#later(() => super.deleteRun(runId));
  }
}

/** What the node functions do in one run (the first run, or one resume). */
interface Phase {
  readonly crash: { readonly at: string; readonly mode: Mode } | undefined;
  crashed: boolean;
  /** The run is canceled when the `cancelAt`-th node function starts. */
  readonly cancelAt: number;
  readonly cancel: () => void;
  canceled: boolean;
  started: number;
}

const quietPhase = (): Phase => ({
  crash: undefined,
  crashed: false,
  cancelAt: Infinity,
  cancel: () => undefined,
  canceled: false,
  started: 0,
});

/**
 * Side channel of the node functions: every execution, and executions the store could have
 * spared. A run reuses a node's succeeded record when each of its parents is reused or skipped
 * again, i.e. has a succeeded or skipped record whose parents do too (README, Checkpoints). Other
 * records are decided anew by design, e.g. a node that ran without the output of an optional
 * parent that failed, even if that parent fails again.
 */
class Probe {
  phase: Phase = quietPhase();
  /** `<graph>/<node>` of every execution, in order. */
  readonly executed: string[] = [];
  readonly violations: string[] = [];
  /** Every graph of the spec, by name. */
  readonly specs = new Map<string, GraphSpec>();

  constructor(readonly store: StartStore | undefined) {}

  /**
   * Called as a node function starts (`runId`: the checkpoint id of its run): the error it must
   * fail with, if any.
   */
  execute(
    runId: string,
    graph: string,
    node: number,
    output: number,
  ): OrchestrationError | undefined {
    const at = `${graph}/n${node}`;
    this.executed.push(at);
    if (this.#reusable(runId, graph, node, output))
      this.violations.push(`${at} ran again although run "${runId}" holds its output`);
    const phase = this.phase;
    if (++phase.started === phase.cancelAt) {
      phase.canceled = true;
      phase.cancel();
    }
    const crash = phase.crash;
    if (crash?.at !== at || (crash.mode !== 'exhaust' && phase.crashed)) return undefined;
    phase.crashed = true;
    return new OrchestrationError('execution_failed', `${at} crashed`, {
      retryable: crash.mode !== 'fatal',
    });
  }

  /**
   * Whether the run `runId` started with a succeeded record of `node` with this output that it
   * reuses (what the records say now may differ: a parent that failed may have succeeded since).
   */
  #reusable(runId: string, graph: string, node: number, output: number): boolean {
    const records = this.store?.atStart.get(runId);
    const record = records?.get(`n${node}`);
    if (record?.status !== 'succeeded' || record.output !== output) return false;
    return this.#parentsHold(records, this.specs.get(graph) as GraphSpec, node);
  }

  /** Whether every parent of `node` has a succeeded or skipped record whose parents hold too. */
  #parentsHold(
    records: ReadonlyMap<string, NodeCheckpoint> | undefined,
    spec: GraphSpec,
    node: number,
  ): boolean {
    return spec.edges.every((e) => {
      if (e.to !== node) return true;
      const status = records?.get(`n${e.from}`)?.status;
      return (
        (status === 'succeeded' || status === 'skipped') && this.#parentsHold(records, spec, e.from)
      );
    });
  }
}

/** A node function that reports to the probe, with the checkpoint id of the run it is in. */
class Leaf extends BaseRunnable<unknown, number> {
  readonly name: string;

  constructor(
    private readonly probe: Probe,
    private readonly graph: string,
    private readonly index: number,
    private readonly ticks: number,
  ) {
    super();
    this.name = `n${index}`;
  }

  override async run(input: unknown, ctx: ExecutionContext): Promise<number> {
    const output = outputOf(this.graph, this.name, input);
    const runId = (ctx.enclosing as NodeRun | undefined)?.scope.checkpointId ?? '';
    const error = this.probe.execute(runId, this.graph, this.index, output);
    for (let t = 0; t < this.ticks; t++) await Promise.resolve();
    if (error !== undefined) throw error;
    return output;
  }
}

function build(spec: GraphSpec, name: string, probe: Probe): Graph {
  const store = probe.store;
  probe.specs.set(name, spec);
  const graph = createGraph(
    withGraphName(name),
    withGraphMaxWorkers(spec.maxWorkers),
    withGraphFailFast(spec.failFast),
    ...(store === undefined ? [] : [withGraphCheckpointer(store)]),
  )._unsafeUnwrap();
  spec.nodes.forEach((node, i) => {
    const nodeName = `n${i}`;
    let target: Runnable<never>;
    if (node.kind === 'leaf') target = new Leaf(probe, name, i, node.ticks);
    else {
      const inner = build(node.graph, `${name}.${nodeName}`, probe);
      target = node.twice ? sequence(inner, inner) : inner;
    }
    const retries =
      node.retries > 0
        ? [withNodeRetryPolicy({ initialDelayMs: 0 }), withNodeRetries(node.retries)]
        : [];
    graph.addNode(nodeName, target, ...retries)._unsafeUnwrap();
  });
  for (const e of spec.edges)
    if (e.kind !== 'conditional')
      graph.addEdge(`n${e.from}`, `n${e.to}`, { required: e.kind === 'required' })._unsafeUnwrap();
  spec.nodes.forEach((_, i) => {
    const targets = spec.edges.filter((e) => e.from === i && e.kind === 'conditional');
    if (targets.length === 0) return;
    const to = targets.map((e) => e.to);
    graph
      .addConditionalEdges(
        `n${i}`,
        (out: unknown) => picks(out, to),
        to.map((t) => `n${t}`),
      )
      ._unsafeUnwrap();
  });
  return graph;
}

/**
 * Every stored run is the outer run or nested in it, under the id of the graph node that ran it
 * (`run/n2#2/n0`: node n0 of the second run of node n2, a `sequence`, is graph `g.n2.n0`), and
 * holds records of its own graph's nodes only.
 */
function checkRecords(store: RecordingStore, spec: GraphSpec): void {
  for (const [id, run] of store.runs) {
    const [first, ...path] = id.split('/');
    expect(first).toBe(RUN_ID);
    let graph = spec;
    let name = OUTER;
    for (const part of path) {
      const [, index, copy] = /^n(\d+)(#2)?$/.exec(part) ?? [];
      const node = graph.nodes[Number(index)];
      if (node?.kind !== 'graph' || (copy !== undefined && !node.twice))
        throw new Error(`run "${id}": "${part}" is not a run of a nested graph node`);
      graph = node.graph;
      name = `${name}.${part.replace('#2', '')}`;
    }
    expect(run.graph).toBe(name);
    const own = graph.nodes.map((_, i) => `n${i}`);
    for (const node of store.nodes.get(id)?.keys() ?? []) expect(own).toContain(node);
  }
}

/**
 * Whether a nested run succeeded although one of its nodes failed (the crash, absorbed by
 * optional edges). Its outer node then succeeded with the output the nested graph gives with
 * that failure, and resuming restores it without running its graph (README, Nested graphs: "A
 * node that had finished is restored like any other"), so no later resume gives the clean
 * output. In a flat graph the failed node would run again; here the phases stop.
 */
function toleratedInside(store: RecordingStore): boolean {
  for (const [id, run] of store.runs) {
    if (id === RUN_ID || run.status !== 'succeeded') continue;
    for (const record of store.nodes.get(id)?.values() ?? [])
      if (record.status === 'failed') return true;
  }
  return false;
}

type Outcome = { ok: true; value: unknown } | { ok: false; code: string };
const outcome = (result: Result<unknown, OrchestrationError>): Outcome =>
  result.isOk() ? { ok: true, value: result.value } : { ok: false, code: result.error.code };

/** What one run of the graph gets: a crash at a node that ran in the clean run, a cancellation. */
interface Trouble {
  readonly crash?: { readonly pick: number; readonly mode: Mode };
  /** Cancels the run when the `cancelAt`-th node function starts. */
  readonly cancelAt?: number;
}

const crashArb: fc.Arbitrary<Trouble> = fc.record({
  crash: fc.record({ pick: fc.nat(), mode: fc.constantFrom<Mode>('fatal', 'exhaust', 'once') }),
});
const cancelArb: fc.Arbitrary<Trouble> = fc.record({ cancelAt: fc.integer({ min: 1, max: 12 }) });

/** The clean run without a store, and the nodes it ran. */
async function cleanRun(spec: GraphSpec, input: number) {
  const probe = new Probe(undefined);
  const reference = outcome(await build(spec, OUTER, probe).invoke(input));
  return { reference, executed: [...new Set(probe.executed)] };
}

/**
 * Runs the graph with a store, once per trouble (a fresh run, then resumes), then resumes it
 * once more without trouble, checking each run against the clean run.
 */
async function runWithTroubles(
  spec: GraphSpec,
  input: number,
  troubles: readonly Trouble[],
  sameGraph: boolean,
  latency: number,
): Promise<void> {
  const { reference, executed } = await cleanRun(spec, input);
  const store = new StartStore(latency);
  const probe = new Probe(store);
  let graph = build(spec, OUTER, probe);
  for (let k = 0; k <= troubles.length; k++) {
    const { crash, cancelAt = Infinity } = troubles[k] ?? {};
    const controller = new AbortController();
    const at = crash && (executed[crash.pick % executed.length] as string);
    probe.phase = {
      ...quietPhase(),
      crash: crash && { at: at as string, mode: crash.mode },
      cancelAt,
      cancel: () => controller.abort(),
    };
    // A new process builds the graph again; a long-lived one resumes with the same object.
    if (k > 0 && !sameGraph) graph = build(spec, OUTER, probe);
    const { signal } = controller;
    const result =
      k > 0
        ? await (await graph.resume(RUN_ID, { signal }))._unsafeUnwrap().result
        : sameGraph // either way of starting
          ? await graph.invoke(input, { runId: RUN_ID, signal })
          : await graph.start(input, { runId: RUN_ID, signal })._unsafeUnwrap().result;
    if (probe.phase.canceled) {
      expect(outcome(result)).toEqual({ ok: false, code: 'task_canceled' });
      expect(store.runs.get(RUN_ID)?.status).toBe('canceled');
    } else if (!probe.phase.crashed) expect(outcome(result)).toEqual(reference);
    checkRecords(store, spec);
    if (toleratedInside(store)) break;
  }
  expect(probe.violations).toEqual([]);
  await expectNoUnhandledRejections();
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));

/** Rejections nobody handled are reported once the microtask queue is empty. */
async function expectNoUnhandledRejections(): Promise<void> {
  await tick();
  expect(unhandled).toEqual([]);
}

const runs = { numRuns: 100 };

describe('resuming a checkpointed run gives what a clean run gives (property)', () => {
  it('after one or two crashes at random nodes, outer or nested', async () => {
    await fc.assert(
      fc.asyncProperty(
        graphArb(0),
        fc.integer({ min: 0, max: 100 }),
        fc.array(crashArb, { minLength: 1, maxLength: 2 }),
        fc.boolean(),
        latencyArb,
        runWithTroubles,
      ),
      runs,
    );
  }, 60_000);

  it('after one or two cancellations at random points', async () => {
    await fc.assert(
      fc.asyncProperty(
        graphArb(0),
        fc.integer({ min: 0, max: 100 }),
        fc.array(cancelArb, { minLength: 1, maxLength: 2 }),
        fc.boolean(),
        latencyArb,
        runWithTroubles,
      ),
      runs,
    );
  }, 60_000);

  it('after crashes and cancellations in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        graphArb(0),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.oneof(crashArb, cancelArb), { minLength: 2, maxLength: 3 }),
        fc.boolean(),
        latencyArb,
        runWithTroubles,
      ),
      runs,
    );
  }, 60_000);
});
