/**
 * The fixed cost of one `invoke`, side by side with LangChain / LangGraph in one process, warmed
 * up alike, no OpenTelemetry SDK registered. Every step is a trivial synchronous function
 * (x => x + 1), so what is measured is what a run pays once, whatever it does:
 *
 * (a) `runnable` against `RunnableLambda`;
 * (b) a 1-step `createChain` against a `RunnableSequence` of one lambda (LangChain needs two
 *     steps for a sequence, so the peer is `RunnableSequence.from([lambda, passthrough lambda])`
 *     with the identity second step — the closest LangChain has);
 * (c) a 1-node `createGraph` against a 1-node LangGraph `StateGraph`.
 *
 * Each tinybench sample times BATCH sequential invokes and the table shows the time per invoke:
 * one invoke per sample would mostly time tinybench (~0.2 µs per sample for an empty async task,
 * the size of a Baton invoke) and, on a loaded machine, the scheduler. The median of the samples
 * is the number to compare (the mean is shown too; it swings with preemption under load).
 *
 * Target (issue 8, item 9): each Baton time at most half of what it was before that issue
 * (commit 1b1aaab; this file runs unchanged there).
 */
import { createChain } from '@baton/chain';
import { runnable } from '@baton/core';
import { createGraph } from '@baton/graph';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { Bench } from 'tinybench';

const inc = (x: number): number => x + 1;
const identity = (x: number): number => x;

const batonRunnable = runnable('inc', inc);
const batonChain = createChain([runnable('inc', inc)])._unsafeUnwrap();
const batonGraph = (() => {
  const g = createGraph<number, number>()._unsafeUnwrap();
  g.addNode('inc', runnable('inc', inc))._unsafeUnwrap();
  return g;
})();

const lcLambda = RunnableLambda.from(inc);
const lcSequence = RunnableSequence.from<number, number>([
  RunnableLambda.from(inc),
  RunnableLambda.from(identity),
]);
const State = Annotation.Root({
  v: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
});
const lgGraph = new StateGraph(State)
  .addNode('inc', (s: { v: number }) => ({ v: s.v + 1 }))
  .addEdge(START, 'inc')
  .addEdge('inc', END)
  .compile();

async function check(): Promise<void> {
  const got = [
    (await batonRunnable.invoke(1))._unsafeUnwrap(),
    (await batonChain.invoke(1))._unsafeUnwrap(),
    (await batonGraph.invoke(1))._unsafeUnwrap(),
    await lcLambda.invoke(1),
    await lcSequence.invoke(1),
    ((await lgGraph.invoke({ v: 1 })) as { v: number }).v,
  ];
  if (got.some((v) => v !== 2)) throw new Error(`wrong outputs: ${got.join(', ')}`);
}

/** Sequential invokes per tinybench sample (fewer for the slow peers, so each gets samples). */
const BATCH = 100;
const PEER_BATCH = 10;

async function main(): Promise<void> {
  await check();
  const bench = new Bench({ time: 1_500, warmupTime: 300 });
  const batches = new Map<string, number>();
  const add = (name: string, batch: number, once: () => Promise<unknown>): void => {
    batches.set(name, batch);
    bench.add(name, async () => {
      for (let i = 0; i < batch; i++) await once();
    });
  };
  add('(a) baton runnable', BATCH, async () => (await batonRunnable.invoke(1))._unsafeUnwrap());
  add('(a) langchain RunnableLambda', PEER_BATCH, () => lcLambda.invoke(1));
  add('(b) baton chain, 1 step', BATCH, async () => (await batonChain.invoke(1))._unsafeUnwrap());
  add('(b) langchain RunnableSequence', PEER_BATCH, () => lcSequence.invoke(1));
  add('(c) baton graph, 1 node', BATCH, async () => (await batonGraph.invoke(1))._unsafeUnwrap());
  add('(c) langgraph, 1 node', 1, () => lgGraph.invoke({ v: 1 }));
  await bench.run();

  const median = new Map<string, number>();
  const mean = new Map<string, number>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    const batch = batches.get(task.name) ?? NaN;
    median.set(task.name, (result.latency.p50 * 1e3) / batch); // µs per invoke
    mean.set(task.name, (result.latency.mean * 1e3) / batch);
  }
  const pairs = [
    ['(a) baton runnable', '(a) langchain RunnableLambda'],
    ['(b) baton chain, 1 step', '(b) langchain RunnableSequence'],
    ['(c) baton graph, 1 node', '(c) langgraph, 1 node'],
  ] as const;
  const us = (m: Map<string, number>, name: string): string => (m.get(name) ?? NaN).toFixed(3);
  console.log('\nFixed cost of one invoke, µs per invoke (trivial sync step, no OTel SDK)');
  console.table(
    pairs.map(([baton, peer]) => ({
      case: baton,
      'baton median': us(median, baton),
      'baton mean': us(mean, baton),
      'peer median': us(median, peer),
      'peer / baton (medians)': ((median.get(peer) ?? NaN) / (median.get(baton) ?? NaN)).toFixed(1),
    })),
  );
}

await main();
