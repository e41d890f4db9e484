/**
 * `sequence` of 10 and 100 trivial sync steps (x => x + 1) against LangChain's RunnableSequence
 * of RunnableLambdas, invoked in the same process with no OpenTelemetry SDK registered, plus plain
 * JavaScript loops as the floor. Per-step overhead = (time(100) - time(10)) / 90, which cancels
 * what every run pays once (run id, Result, context).
 *
 * Target (issue 2): LangChain's per-step overhead / Baton's >= 30.
 */
import { runnable, sequence, type Runnable } from '@baton/core';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import { Bench } from 'tinybench';
import { stepOverhead } from './step-overhead.js';

const SIZES = [10, 100] as const;
const inc = (x: number): number => x + 1;

function batonSequence(n: number): Runnable<number, number> {
  const steps = Array.from({ length: n }, (_, i) => runnable(`inc${i}`, inc));
  return sequence(...steps);
}

function langchainSequence(n: number): RunnableSequence<number, number> {
  const steps = Array.from({ length: n }, () => RunnableLambda.from(inc));
  const [first, ...rest] = steps;
  const last = rest.pop();
  return RunnableSequence.from<number, number>([first!, ...rest, last!]);
}

function plainSync(n: number): (x: number) => number {
  const fns = Array.from({ length: n }, () => inc);
  return (x) => {
    let v = x;
    for (const f of fns) v = f(v);
    return v;
  };
}

function plainAsync(n: number): (x: number) => Promise<number> {
  const fns = Array.from({ length: n }, () => async (v: number) => inc(v));
  return async (x) => {
    let v = x;
    for (const f of fns) v = await f(v);
    return v;
  };
}

async function check(): Promise<void> {
  for (const n of SIZES) {
    const baton = (await batonSequence(n).invoke(0))._unsafeUnwrap();
    const lc = await langchainSequence(n).invoke(0);
    if (baton !== n || lc !== n || plainSync(n)(0) !== n || (await plainAsync(n)(0)) !== n) {
      throw new Error(`wrong output for n=${n}: baton ${baton}, langchain ${lc}`);
    }
  }
}

async function main(): Promise<void> {
  await check();
  const bench = new Bench({ time: 1_500, warmupTime: 300 });
  for (const n of SIZES) {
    const baton = batonSequence(n);
    const lc = langchainSequence(n);
    const sync = plainSync(n);
    const async_ = plainAsync(n);
    bench
      .add(`baton n=${n}`, async () => {
        (await baton.invoke(0))._unsafeUnwrap();
      })
      .add(`langchain n=${n}`, async () => {
        await lc.invoke(0);
      })
      .add(`plain sync n=${n}`, () => {
        sync(0);
      })
      .add(`plain async n=${n}`, async () => {
        await async_(0);
      });
  }
  await bench.run();

  const { perStep } = stepOverhead(bench);
  const rows = ['baton', 'langchain', 'plain sync', 'plain async'].map((label) => ({
    impl: label,
    'per-step overhead (ns)': perStep(label).toFixed(1),
  }));
  console.table(rows);
  const ratio = perStep('langchain') / perStep('baton');
  console.log(`LangChain / Baton per-step overhead: ${ratio.toFixed(1)}x (target >= 30x)`);
}

await main();
