/**
 * @baton/graph against @langchain/langgraph 1.7.3 (StateGraph), same process, no OpenTelemetry
 * SDK registered. Every node is a trivial synchronous function, so what is measured is the
 * executor's own per-node cost.
 *
 * 1. Chains of 10 and 100 nodes: per-node overhead = (time(100) - time(10)) / 90.
 * 2. Fan-out/fan-in of 100, 1,000 and 5,000 branches (source -> N branches -> sink). LangGraph runs
 *    all branches in one superstep; its time grows quadratically with the width (about 1.9 s at
 *    1,000 and 6.7 s at 2,000 branches on a 2-core machine, so ~40 s per invoke at 5,000), so it
 *    is measured at 100 and 1,000 only.
 * 3. A random DAG of 25k, 50k and 100k nodes (about 2 edges per node), Baton only: time per node
 *    should stay flat (linear total time).
 *
 * Targets (issue 4): Baton's per-node time <= 1/100 of LangGraph's; 5,000 branches < 50 ms;
 * linear time on the random DAG.
 */
import { runnable, type Graph } from '@baton/core';
import { createGraph, withGraphMaxWorkers } from '@baton/graph';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { Bench } from 'tinybench';

const CHAIN_SIZES = [10, 100] as const;
const FAN_SIZES = [100, 1_000, 5_000] as const;
const LANGGRAPH_FAN_SIZES = [100, 1_000] as const;
const DAG_SIZES = [25_000, 50_000, 100_000] as const;
const unbounded = withGraphMaxWorkers(Infinity);

// ---- Baton graphs -------------------------------------------------------------------------

function batonChain(n: number): Graph<number, number> {
  const g = createGraph<number, number>(unbounded)._unsafeUnwrap();
  const inc = runnable('inc', (x: number) => x + 1);
  for (let i = 0; i < n; i++) g.addNode(`n${i}`, inc)._unsafeUnwrap();
  for (let i = 1; i < n; i++) g.addEdge(`n${i - 1}`, `n${i}`)._unsafeUnwrap();
  return g;
}

function batonFan(n: number, ...options: Parameters<typeof createGraph>): Graph<number, number> {
  const g = createGraph<number, number>(...options)._unsafeUnwrap();
  g.addNode(
    'src',
    runnable('src', (x: number) => x),
  )._unsafeUnwrap();
  g.addNode(
    'sink',
    runnable('sink', (r: Record<string, number>) => Object.keys(r).length),
  )._unsafeUnwrap();
  const branch = runnable('branch', (x: number) => x + 1);
  for (let i = 0; i < n; i++) {
    g.addNode(`b${i}`, branch)._unsafeUnwrap();
    g.addEdge('src', `b${i}`)._unsafeUnwrap();
    g.addEdge(`b${i}`, 'sink')._unsafeUnwrap();
  }
  return g;
}

/** A random DAG: node i depends on one or two random earlier nodes (fixed seed). */
function batonDag(n: number): Graph<number> {
  let seed = 42;
  const random = (): number =>
    (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const g = createGraph<number>(unbounded)._unsafeUnwrap();
  const node = runnable('node', () => 1);
  for (let i = 0; i < n; i++) g.addNode(`n${i}`, node)._unsafeUnwrap();
  for (let i = 1; i < n; i++) {
    const a = Math.floor(random() * i);
    const b = Math.floor(random() * i);
    g.addEdge(`n${a}`, `n${i}`)._unsafeUnwrap();
    if (b !== a) g.addEdge(`n${b}`, `n${i}`)._unsafeUnwrap();
  }
  return g;
}

// ---- LangGraph graphs ---------------------------------------------------------------------

const ChainState = Annotation.Root({
  v: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
});
const FanState = Annotation.Root({
  v: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
});
const lgOptions = { recursionLimit: 1_000_000 };

function langgraphChain(n: number) {
  const g = new StateGraph(ChainState) as unknown as StateGraph<
    typeof ChainState.spec,
    unknown,
    unknown,
    string
  >;
  for (let i = 0; i < n; i++) g.addNode(`n${i}`, (s: { v: number }) => ({ v: s.v + 1 }));
  g.addEdge(START, 'n0');
  for (let i = 1; i < n; i++) g.addEdge(`n${i - 1}`, `n${i}`);
  g.addEdge(`n${n - 1}`, END);
  return g.compile();
}

function langgraphFan(n: number) {
  const g = new StateGraph(FanState) as unknown as StateGraph<
    typeof FanState.spec,
    unknown,
    unknown,
    string
  >;
  const branches = Array.from({ length: n }, (_, i) => `b${i}`);
  g.addNode('src', () => ({ v: 0 }));
  for (const b of branches) g.addNode(b, () => ({ v: 1 }));
  g.addNode('sink', () => ({ v: 0 }));
  g.addEdge(START, 'src');
  for (const b of branches) g.addEdge('src', b);
  g.addEdge(branches, 'sink');
  g.addEdge('sink', END);
  return g.compile();
}

// ---- measurement --------------------------------------------------------------------------

async function meanMs(
  tasks: Record<string, () => Promise<unknown>>,
  slow: boolean,
): Promise<Map<string, number>> {
  const bench = slow
    ? new Bench({ time: 0, iterations: 3, warmupTime: 0, warmupIterations: 1 })
    : new Bench({ time: 600, iterations: 10, warmupTime: 150, warmupIterations: 5 });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  const out = new Map<string, number>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    out.set(task.name, result.latency.mean);
  }
  return out;
}

function expectValue(label: string, actual: unknown, expected: unknown): void {
  if (actual !== expected)
    throw new Error(`${label}: got ${String(actual)}, expected ${String(expected)}`);
}

const fmt = (x: number, digits = 1): string => x.toFixed(digits);

async function chains(): Promise<void> {
  const baton = Object.fromEntries(CHAIN_SIZES.map((n) => [n, batonChain(n)]));
  const lg = Object.fromEntries(CHAIN_SIZES.map((n) => [n, langgraphChain(n)]));
  for (const n of CHAIN_SIZES) {
    expectValue(`baton chain ${n}`, (await baton[n]!.invoke(0))._unsafeUnwrap(), n);
    expectValue(
      `langgraph chain ${n}`,
      ((await lg[n]!.invoke({ v: 0 }, lgOptions)) as { v: number }).v,
      n,
    );
  }
  const b = await meanMs(
    Object.fromEntries(CHAIN_SIZES.map((n) => [`${n}`, async () => baton[n]!.invoke(0)])),
    false,
  );
  const l = await meanMs(
    Object.fromEntries(CHAIN_SIZES.map((n) => [`${n}`, () => lg[n]!.invoke({ v: 0 }, lgOptions)])),
    true,
  );
  const perNode = (m: Map<string, number>): number =>
    (((m.get('100') ?? NaN) - (m.get('10') ?? NaN)) / 90) * 1000;
  console.log('\nChains (sequential nodes)');
  console.table(
    CHAIN_SIZES.map((n) => ({
      nodes: n,
      'baton (ms/invoke)': fmt(b.get(`${n}`)!, 3),
      'langgraph (ms/invoke)': fmt(l.get(`${n}`)!, 1),
      'langgraph / baton': fmt(l.get(`${n}`)! / b.get(`${n}`)!, 0),
    })),
  );
  const ratio = perNode(l) / perNode(b);
  console.log(
    `per-node overhead: baton ${fmt(perNode(b), 2)} µs, langgraph ${fmt(perNode(l), 0)} µs -> langgraph / baton = ${fmt(ratio, 0)}x (target >= 100x)`,
  );
}

async function fans(): Promise<void> {
  const baton = Object.fromEntries(FAN_SIZES.map((n) => [n, batonFan(n, unbounded)]));
  const batonDefault = batonFan(5_000); // default maxWorkers (5): every branch goes through the ready queue
  const lg = Object.fromEntries(LANGGRAPH_FAN_SIZES.map((n) => [n, langgraphFan(n)]));
  for (const n of FAN_SIZES)
    expectValue(`baton fan ${n}`, (await baton[n]!.invoke(0))._unsafeUnwrap(), n);
  expectValue('baton fan default', (await batonDefault.invoke(0))._unsafeUnwrap(), 5_000);
  for (const n of LANGGRAPH_FAN_SIZES)
    expectValue(
      `langgraph fan ${n}`,
      ((await lg[n]!.invoke({ v: 0 }, lgOptions)) as { v: number }).v,
      n,
    );
  const b = await meanMs(
    {
      ...Object.fromEntries(FAN_SIZES.map((n) => [`${n}`, async () => baton[n]!.invoke(0)])),
      default: async () => batonDefault.invoke(0),
    },
    false,
  );
  const l = await meanMs(
    Object.fromEntries(
      LANGGRAPH_FAN_SIZES.map((n) => [`${n}`, () => lg[n]!.invoke({ v: 0 }, lgOptions)]),
    ),
    true,
  );
  console.log('\nFan-out / fan-in (source -> N branches -> sink)');
  console.table(
    FAN_SIZES.map((n) => {
      const bt = b.get(`${n}`)!;
      const lt = l.get(`${n}`);
      return {
        branches: n,
        'baton (ms)': fmt(bt, 2),
        'baton (µs/branch)': fmt((bt * 1000) / n, 2),
        'langgraph (ms)': lt === undefined ? 'not run (too slow)' : fmt(lt, 0),
        'langgraph (µs/branch)': lt === undefined ? '' : fmt((lt * 1000) / n, 0),
        'langgraph / baton': lt === undefined ? '' : fmt(lt / bt, 0),
      };
    }),
  );
  const at5k = b.get('5000')!;
  console.log(
    `5,000 branches: ${fmt(at5k, 1)} ms with maxWorkers Infinity, ${fmt(b.get('default')!, 1)} ms with the default maxWorkers 5 (target < 50 ms)`,
  );
}

async function dags(): Promise<void> {
  console.log('\nRandom DAG, about 2 edges per node (Baton only)');
  const rows: Record<string, string>[] = [];
  let first: number | undefined;
  for (const n of DAG_SIZES) {
    const g = batonDag(n);
    if ((await g.invoke(0)).isErr()) throw new Error(`dag ${n} failed`);
    const times: number[] = [];
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      await g.invoke(0);
      times.push(performance.now() - t);
    }
    const median = times.sort((x, y) => x - y)[1]!;
    first ??= median / n;
    rows.push({
      nodes: `${n}`,
      'median (ms)': fmt(median, 0),
      'µs/node': fmt((median * 1000) / n, 2),
      'vs 25k per node': fmt(median / n / first, 2),
    });
  }
  console.table(rows);
  console.log(
    'linear time keeps µs/node flat (ratio near 1.0; GC makes it drift on a busy machine)',
  );
}

await chains();
await fans();
await dags();
