/**
 * The same random graph runs in-process and on Temporal (the interpreter workflow) and gives the
 * same output, the same node outcomes, the same outputs per node and the same failure codes,
 * with some nodes pure (run inside the workflow from the bundled functions).
 */
import { OrchestrationError, runnable, type Runnable, type TriggerRule } from '@baton/core';
import {
  createGraph,
  withGraphFailFast,
  withGraphMaxWorkers,
  withGraphName,
  withGraphParallelExecution,
  withNodePure,
  withNodeRetries,
  withNodeRetryPolicy,
  withNodeTriggerRule,
} from '@baton/graph';
import { TRIGGER_RULES } from '@baton/graph/scheduling';
import type { GraphRunResult } from '@baton/workflow-temporal';
import fc from 'fast-check';
import { err, ok } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { collect, dagEdges } from '../../graph/test/support.js';
import { PURE_KINDS, mixOutput } from './workflows/pure-nodes.js';
import {
  PURE_NODES_PATH,
  bundleBatonWorkflows,
  quietRuntime,
  startGraphWorker,
  type GraphWorkerHarness,
} from './graph-harness.js';

const server = inject('temporal');
const MAX_NODES = PURE_KINDS;
type Kind = 'mix' | 'boom' | 'flaky';

/** In-process runs key by the graph run id, activities by the workflow id. */
function runKey(ctx: { runId: string; metadata: Readonly<Record<string, unknown>> }): string {
  const temporal = ctx.metadata.temporal as { workflowId?: string } | undefined;
  return temporal?.workflowId ?? ctx.runId;
}

const attempts = new Map<string, number>();
/** Targets of each router in the current case (routers only see the output). */
const routeTargets = new Map<string, string[]>();

function behaviour(kind: Kind, k: number): Runnable<never> {
  return runnable(`${kind}_${k}`, (input: unknown, ctx) => {
    if (kind === 'boom') return err(new OrchestrationError('invalid_input', `boom ${k}`));
    const key = `${runKey(ctx)}/${k}`;
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    if (kind === 'flaky' && n === 1)
      return err(new OrchestrationError('execution_failed', `flaky ${k}`));
    return ok(mixOutput(k)(input));
  });
}

const runnables: Runnable<never>[] = [];
const kinds: Kind[] = ['mix', 'boom', 'flaky'];
for (let k = 0; k < MAX_NODES; k++) for (const kind of kinds) runnables.push(behaviour(kind, k));

function router(k: number): (output: number) => string[] {
  const name = `route_${k}`;
  const pick = (output: number): string[] =>
    (routeTargets.get(name) ?? []).filter((_, j) => (output + j) % 3 !== 0);
  Object.defineProperty(pick, 'name', { value: name });
  return pick;
}
const routers = Object.fromEntries(
  Array.from({ length: MAX_NODES }, (_, k) => [`route_${k}`, router(k)]),
);

const caseArb = fc.integer({ min: 3, max: MAX_NODES }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    kinds: fc.array(fc.constantFrom<Kind>('mix', 'mix', 'mix', 'boom', 'flaky'), {
      minLength: n,
      maxLength: n,
    }),
    retries: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
    pure: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    rules: fc.array(fc.constantFrom(...TRIGGER_RULES), { minLength: n, maxLength: n }),
    edges: dagEdges(n),
    maxWorkers: fc.integer({ min: 1, max: 4 }),
    parallel: fc.boolean(),
    input: fc.integer({ min: 0, max: 1000 }),
  }),
);
type Case = typeof caseArb extends fc.Arbitrary<infer C> ? C : never;
type Regression = Omit<Case, 'pure'> & { pure?: boolean[] };

/** Cases that once differed: a failed run's details must carry the node outcomes. */
const REGRESSIONS: Regression[] = [
  {
    n: 3,
    kinds: ['mix', 'mix', 'mix'],
    retries: [0, 0, 0],
    rules: ['all_success', 'all_success', 'one_failed'],
    edges: [
      { from: 0, to: 1, kind: 'conditional' },
      { from: 0, to: 2, kind: 'required' },
    ],
    maxWorkers: 1,
    parallel: false,
    input: 908,
  },
  {
    n: 4,
    kinds: ['mix', 'mix', 'boom', 'mix'],
    retries: [0, 0, 0, 0],
    rules: ['all_success', 'all_success', 'all_success', 'all_failed'],
    edges: [
      { from: 1, to: 3, kind: 'required' },
      { from: 2, to: 3, kind: 'required' },
      { from: 0, to: 1, kind: 'required' },
    ],
    maxWorkers: 1,
    parallel: false,
    input: 0,
  },
];

/**
 * Node k runs inside the workflow when the case marks it pure, its kind has a bundled function
 * (`mix`, `boom`; `flaky` counts attempts in this process) and it has no router (the routers here
 * read this process's state).
 */
function pureNode(c: Regression, k: number): boolean {
  return (
    c.pure?.[k] === true &&
    c.kinds[k] !== 'flaky' &&
    !c.edges.some((e) => e.kind === 'conditional' && e.from === k)
  );
}

function build(c: Regression) {
  const g = createGraph<number>(
    withGraphName('equivalence'),
    withGraphFailFast(false),
    withGraphMaxWorkers(c.maxWorkers),
    withGraphParallelExecution(c.parallel),
  )._unsafeUnwrap();
  for (let k = 0; k < c.n; k++) {
    const r = runnables[k * kinds.length + kinds.indexOf(c.kinds[k] as Kind)] as Runnable<never>;
    g.addNode(
      `n${k}`,
      r,
      withNodeRetries(c.retries[k] as number),
      withNodeRetryPolicy({ initialDelayMs: 1, maxDelayMs: 5 }),
      withNodeTriggerRule(c.rules[k] as TriggerRule),
      withNodePure(pureNode(c, k)),
    )._unsafeUnwrap();
  }
  routeTargets.clear();
  const targets = new Map<number, string[]>();
  for (const e of c.edges) {
    if (e.kind === 'conditional') targets.set(e.from, [...(targets.get(e.from) ?? []), `n${e.to}`]);
    else g.addEdge(`n${e.from}`, `n${e.to}`, { required: e.kind === 'required' })._unsafeUnwrap();
  }
  for (const [from, list] of targets) {
    routeTargets.set(`route_${from}`, list);
    g.addConditionalEdges(
      `n${from}`,
      routers[`route_${from}`] as (o: number) => string[],
      list,
    )._unsafeUnwrap();
  }
  return g;
}

interface Outcome {
  ok: boolean;
  output?: unknown;
  code?: string;
  nodes: Record<string, string>;
  outputs: Record<string, unknown>;
  failures: Record<string, string>;
}

function codes(failures: Readonly<Record<string, OrchestrationError>>): Record<string, string> {
  return Object.fromEntries(Object.entries(failures).map(([n, e]) => [n, e.code]));
}

async function inProcess(c: Regression): Promise<Outcome> {
  const handle = build(c).start(c.input)._unsafeUnwrap();
  const { events } = await collect<unknown>(handle.events$);
  const report = await handle.report;
  const nodes: Record<string, string> = {};
  const outputs: Record<string, unknown> = {};
  for (const e of events) {
    if (!('step' in e) || e.path.length !== 1) continue;
    if (e.type === 'step-end') {
      nodes[e.step] = 'succeeded';
      outputs[e.step] = e.output;
    } else if (e.type === 'step-error') nodes[e.step] = 'failed';
    else if (e.type === 'step-skip') nodes[e.step] = 'skipped';
  }
  if (report.isOk())
    return {
      ok: true,
      output: report.value.output,
      nodes,
      outputs,
      failures: codes(report.value.failures),
    };
  const failures =
    (report.error.details as { failures?: Record<string, OrchestrationError> }).failures ?? {};
  return { ok: false, code: report.error.code, nodes, outputs, failures: codes(failures) };
}

async function onTemporal(h: GraphWorkerHarness, c: Regression): Promise<Outcome> {
  const wf = h.workflow(build(c));
  const run = (await wf.execute(c.input))._unsafeUnwrap();
  const result = await wf.getResult(run.workflowId);
  if (result.isOk()) {
    const r: GraphRunResult = result.value;
    return {
      ok: true,
      output: r.output,
      nodes: { ...r.nodes },
      outputs: { ...r.outputs },
      failures: codes(r.failures),
    };
  }
  const d = result.error.details as {
    nodes?: Record<string, string>;
    outputs?: Record<string, unknown>;
    failures?: Record<string, OrchestrationError>;
  };
  return {
    ok: false,
    code: result.error.code,
    nodes: { ...d.nodes },
    outputs: { ...d.outputs },
    failures: codes(d.failures ?? {}),
  };
}

describe.runIf(server !== undefined)('graph equivalence: in-process vs Temporal', () => {
  let h: GraphWorkerHarness;

  beforeAll(async () => {
    quietRuntime();
    h = await startGraphWorker(
      server ?? { address: '', namespace: '' },
      await bundleBatonWorkflows(undefined, [PURE_NODES_PATH]),
      {
        activities: runnables,
        routers,
      },
    );
  });

  afterAll(async () => {
    await h?.close();
  });

  const seen: Record<string, number> = {};

  it('random graphs (fan-out, fan-in, routers, optional edges, trigger rules, failures, retries) give the same outcomes', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        seen.pure = (seen.pure ?? 0) + c.pure.filter((_, k) => pureNode(c, k)).length;
        const local = await inProcess(c);
        const remote = await onTemporal(h, c);
        expect(remote).toEqual(local);
        for (const status of Object.values(local.nodes)) seen[status] = (seen[status] ?? 0) + 1;
        if (!local.ok) seen.runsFailed = (seen.runsFailed ?? 0) + 1;
      }),
      { numRuns: 12, examples: REGRESSIONS.map((c) => [{ ...c, pure: c.pure ?? [] }]) },
    );
    // Not vacuous: the cases had failed and skipped nodes, not only straight successes.
    expect(seen.failed).toBeGreaterThan(0);
    expect(seen.skipped).toBeGreaterThan(0);
    expect(seen.pure).toBeGreaterThan(0);
  }, 120_000);
});
