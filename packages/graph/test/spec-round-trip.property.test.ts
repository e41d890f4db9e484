/**
 * Round trip of the graph as data: random graphs (fan-out, fan-in, conditional and optional
 * edges, failing and retried nodes, node and graph settings) -> toSpec -> JSON -> graphFromSpec
 * give the same spec, fingerprint, outputs, node outcomes and attempts as the original.
 */
import {
  OrchestrationError,
  runnable,
  type Graph,
  type Router,
  type RunEvent,
  type Runnable,
} from '@baton/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createGraph,
  graphFromSpec,
  namedRouter,
  withGraphFailFast,
  withGraphMaxWorkers,
  withGraphParallelExecution,
  withGraphRetries,
  withNodeCache,
  withNodePriority,
  withNodeRetries,
  withNodeRetryPolicy,
  withNodeTimeout,
} from '../src/index.js';
import { collect, dagEdges, type EdgeKind } from './support.js';

type Kind = EdgeKind;
interface NodeShape {
  fails: 'never' | 'once' | 'always';
  priority: number;
  retries: number | undefined;
  timeoutMs: number;
  cache: boolean;
}
interface Shape {
  nodes: NodeShape[];
  edges: { from: number; to: number; kind: Kind }[];
  maxWorkers: number;
  failFast: boolean;
  parallel: boolean;
  retries: number;
  input: number;
}

const name = (i: number): string => `n${i}`;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const shapeArb: fc.Arbitrary<Shape> = fc.integer({ min: 1, max: 9 }).chain((n) =>
  fc.record({
    nodes: fc.array(
      fc.record({
        fails: fc.constantFrom('never', 'never', 'never', 'once', 'always'),
        priority: fc.integer({ min: 0, max: 3 }),
        retries: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
        timeoutMs: fc.constantFrom(0, 5_000),
        cache: fc.boolean(),
      }),
      { minLength: n, maxLength: n },
    ),
    edges: dagEdges(n),
    maxWorkers: fc.integer({ min: 1, max: 4 }),
    failFast: fc.boolean(),
    parallel: fc.boolean(),
    retries: fc.integer({ min: 0, max: 1 }),
    input: fc.integer({ min: 0, max: 100 }),
  }),
);

/** Runnables and routers by name, with per-run failure counters reset by `reset`. */
function bindings(shape: Shape) {
  const calls = new Map<string, number>();
  const runnables: Record<string, Runnable<never>> = {};
  const routers: Record<string, Router<never>> = {};
  shape.nodes.forEach((node, i) => {
    runnables[name(i)] = runnable(name(i), (input: unknown) => {
      const n = (calls.get(name(i)) ?? 0) + 1;
      calls.set(name(i), n);
      if (node.fails === 'always' || (node.fails === 'once' && n === 1))
        throw new OrchestrationError('execution_failed', `${name(i)} fails`, { retryable: true });
      return hash(`${name(i)}:${JSON.stringify(input)}`) % 1000;
    });
    const targets = shape.edges.filter((e) => e.from === i && e.kind === 'conditional');
    if (targets.length > 0)
      routers[`route-${i}`] = namedRouter(`route-${i}`, (out: number) =>
        targets.filter((e) => hash(`${out}>${e.to}`) % 2 === 0).map((e) => name(e.to)),
      );
  });
  return { runnables, routers, reset: () => calls.clear() };
}

function original(shape: Shape, b: ReturnType<typeof bindings>): Graph {
  const graph = createGraph(
    withGraphMaxWorkers(shape.maxWorkers),
    withGraphFailFast(shape.failFast),
    withGraphParallelExecution(shape.parallel),
    withGraphRetries(shape.retries),
  )._unsafeUnwrap();
  shape.nodes.forEach((node, i) => {
    graph
      .addNode(
        name(i),
        b.runnables[name(i)] as Runnable<never>,
        withNodePriority(node.priority),
        withNodeRetryPolicy({ initialDelayMs: 0, maxDelayMs: 1, jitter: 0 }),
        ...(node.retries === undefined ? [] : [withNodeRetries(node.retries)]),
        withNodeTimeout(node.timeoutMs),
        ...(node.cache ? [withNodeCache({ ttlMs: 60_000 })] : []),
      )
      ._unsafeUnwrap();
  });
  for (const e of shape.edges)
    if (e.kind !== 'conditional')
      graph.addEdge(name(e.from), name(e.to), { required: e.kind === 'required' })._unsafeUnwrap();
  shape.nodes.forEach((_, i) => {
    const targets = shape.edges.filter((e) => e.from === i && e.kind === 'conditional');
    const router = b.routers[`route-${i}`];
    if (router !== undefined)
      graph
        .addConditionalEdges(
          name(i),
          router,
          targets.map((e) => name(e.to)),
        )
        ._unsafeUnwrap();
  });
  return graph;
}

/** The run's result and, per node, its outcome and attempts. */
async function observe(graph: Graph, input: number, reset: () => void) {
  reset();
  const { events, error } = await collect(graph.stream(input));
  const nodes: Record<string, string> = {};
  const attempts: Record<string, number> = {};
  for (const e of events as RunEvent[]) {
    if (!('step' in e) || e.step === graph.name) continue;
    if (e.type === 'step-start') attempts[e.step] = (attempts[e.step] ?? 0) + 1;
    if (e.type === 'step-end') nodes[e.step] = 'succeeded';
    if (e.type === 'step-error') nodes[e.step] = 'failed';
    if (e.type === 'step-skip') nodes[e.step] = 'skipped';
  }
  const end = events.find((e) => e.type === 'run-end');
  const result =
    error === undefined
      ? { ok: end?.type === 'run-end' ? end.output : undefined }
      : { err: (error as OrchestrationError).code };
  return { result, nodes, attempts };
}

describe('GraphSpec round trip (property)', () => {
  it('toSpec -> JSON -> graphFromSpec gives the same spec, outputs and node outcomes', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, async (shape) => {
        const b = bindings(shape);
        const graph = original(shape, b);
        const valid = graph.validate();
        fc.pre(valid.isOk()); // unreachable nodes under random entry points are not the point here
        const spec = graph.toSpec()._unsafeUnwrap();
        const json: unknown = JSON.parse(JSON.stringify(spec));
        const rebuilt = graphFromSpec(json, b)._unsafeUnwrap();
        const again = rebuilt.toSpec()._unsafeUnwrap();
        expect(again).toEqual(spec);
        expect(again.fingerprint).toBe(spec.fingerprint);
        const before = await observe(graph, shape.input, b.reset);
        const after = await observe(rebuilt, shape.input, b.reset);
        expect(after).toEqual(before);
      }),
      { numRuns: 120 },
    );
  }, 120_000);
});
