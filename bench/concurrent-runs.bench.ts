/**
 * Many runs at once, as a server running many conversations: N concurrent runs of a 10-node chain
 * graph whose nodes each await a 10 ms timer. Measured for a Baton graph, the same awaits in plain
 * async functions (the floor), and a LangGraph StateGraph (fewer runs, it is much slower).
 *
 * For each: wall time from the first start to the last settle, and heap per run = (heap used at
 * the peak, sampled while every run is still pending on its first timer, minus heap before) / N,
 * after a full GC (run with `--expose-gc`; `pnpm bench` does). A warm-up round of the same size
 * runs first so the JIT and pools are warm alike.
 *
 * Target (issue 8, item 9): Baton within 3x of plain async time, at most 8 KB of heap per run.
 */
import { runnable, type Graph } from '@baton/core';
import { createGraph, withGraphMaxWorkers } from '@baton/graph';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';

const NODES = 10;
const DELAY_MS = 10;
const RUNS = Number(process.env.CONCURRENT_RUNS ?? 20_000);
const LANGGRAPH_RUNS = Number(process.env.CONCURRENT_LANGGRAPH_RUNS ?? 2_000);

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with node --expose-gc (pnpm bench passes it)');
  process.exit(1);
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, DELAY_MS));

function batonGraph(): Graph<number, number> {
  const g = createGraph<number, number>(withGraphMaxWorkers(Infinity))._unsafeUnwrap();
  const step = runnable('step', async (x: number) => {
    await tick();
    return x + 1;
  });
  for (let i = 0; i < NODES; i++) g.addNode(`n${i}`, step)._unsafeUnwrap();
  for (let i = 1; i < NODES; i++) g.addEdge(`n${i - 1}`, `n${i}`)._unsafeUnwrap();
  return g;
}

async function plainNode(x: number): Promise<number> {
  await tick();
  return x + 1;
}

async function plainRun(x: number): Promise<number> {
  let v = x;
  for (let i = 0; i < NODES; i++) v = await plainNode(v);
  return v;
}

const State = Annotation.Root({
  v: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
});

function langGraph() {
  const g = new StateGraph(State) as unknown as StateGraph<
    typeof State.spec,
    unknown,
    unknown,
    string
  >;
  for (let i = 0; i < NODES; i++)
    g.addNode(`n${i}`, async (s: { v: number }) => {
      await tick();
      return { v: s.v + 1 };
    });
  g.addEdge(START, 'n0');
  for (let i = 1; i < NODES; i++) g.addEdge(`n${i - 1}`, `n${i}`);
  g.addEdge(`n${NODES - 1}`, END);
  return g.compile();
}

interface Measure {
  readonly ms: number;
  readonly bytesPerRun: number;
}

/** Starts `n` runs at once; samples heap after they are all pending (before the first timer). */
async function measure(n: number, start: () => Promise<number>): Promise<Measure> {
  gc!();
  gc!();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const runs: Promise<number>[] = new Array(n);
  for (let i = 0; i < n; i++) runs[i] = start();
  // Every run is now pending on its first node's timer (or on its way there); let the microtasks
  // that set them up drain, then sample. No GC here: we want what is live plus what a run made.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const peak = process.memoryUsage().heapUsed;
  const outputs = await Promise.all(runs);
  const ms = performance.now() - t0;
  for (const v of outputs) if (v !== NODES) throw new Error(`wrong output ${v}`);
  return { ms, bytesPerRun: (peak - before) / n };
}

async function main(): Promise<void> {
  const baton = batonGraph();
  const lg = langGraph();
  const batonStart = async (): Promise<number> => (await baton.invoke(0))._unsafeUnwrap();
  const lgStart = async (): Promise<number> => ((await lg.invoke({ v: 0 })) as { v: number }).v;

  // Warm-up round, same sizes, results dropped.
  await measure(RUNS, plainRun.bind(null, 0));
  await measure(RUNS, batonStart);
  await measure(LANGGRAPH_RUNS, lgStart);

  const plain = await measure(RUNS, plainRun.bind(null, 0));
  const b = await measure(RUNS, batonStart);
  const l = await measure(LANGGRAPH_RUNS, lgStart);

  const kb = (m: Measure): string => (m.bytesPerRun / 1024).toFixed(1);
  console.log(
    `\n${RUNS} concurrent runs of a ${NODES}-node chain, each node awaiting a ${DELAY_MS} ms timer`,
  );
  console.table([
    {
      impl: 'plain async',
      runs: RUNS,
      'wall (ms)': plain.ms.toFixed(0),
      'heap/run (KB)': kb(plain),
      'time / plain': '1.0',
      'heap / plain': '1.0',
    },
    {
      impl: 'baton graph',
      runs: RUNS,
      'wall (ms)': b.ms.toFixed(0),
      'heap/run (KB)': kb(b),
      'time / plain': (b.ms / plain.ms).toFixed(1),
      'heap / plain': (b.bytesPerRun / plain.bytesPerRun).toFixed(1),
    },
    {
      impl: 'langgraph',
      runs: LANGGRAPH_RUNS,
      'wall (ms)': l.ms.toFixed(0),
      'heap/run (KB)': kb(l),
      'time / plain': `${(l.ms / plain.ms).toFixed(1)} (${LANGGRAPH_RUNS} runs)`,
      'heap / plain': (l.bytesPerRun / plain.bytesPerRun).toFixed(1),
    },
  ]);
  console.log(
    `baton / plain: time ${(b.ms / plain.ms).toFixed(2)}x (target <= 3x), heap ${kb(b)} KB/run (target <= 8 KB)`,
  );
}

await main();
