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
 * Target (issue 8, item 9): each Baton time at most half of what it was before that issue.
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

async function main(): Promise<void> {
  await check();
  const bench = new Bench({ time: 1_500, warmupTime: 300 });
  bench
    .add('(a) baton runnable', async () => {
      (await batonRunnable.invoke(1))._unsafeUnwrap();
    })
    .add('(a) langchain RunnableLambda', async () => {
      await lcLambda.invoke(1);
    })
    .add('(b) baton chain, 1 step', async () => {
      (await batonChain.invoke(1))._unsafeUnwrap();
    })
    .add('(b) langchain RunnableSequence', async () => {
      await lcSequence.invoke(1);
    })
    .add('(c) baton graph, 1 node', async () => {
      (await batonGraph.invoke(1))._unsafeUnwrap();
    })
    .add('(c) langgraph, 1 node', async () => {
      await lgGraph.invoke({ v: 1 });
    });
  await bench.run();

  const mean = new Map<string, number>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    mean.set(task.name, result.latency.mean * 1e3); // µs
  }
  const pairs = [
    ['(a) baton runnable', '(a) langchain RunnableLambda'],
    ['(b) baton chain, 1 step', '(b) langchain RunnableSequence'],
    ['(c) baton graph, 1 node', '(c) langgraph, 1 node'],
  ] as const;
  console.log('\nFixed cost of one invoke (trivial sync step, no OTel SDK)');
  console.table(
    pairs.map(([baton, peer]) => ({
      case: baton,
      'baton (µs)': (mean.get(baton) ?? NaN).toFixed(2),
      'peer (µs)': (mean.get(peer) ?? NaN).toFixed(2),
      'peer / baton': ((mean.get(peer) ?? NaN) / (mean.get(baton) ?? NaN)).toFixed(1),
    })),
  );
}

await main();
