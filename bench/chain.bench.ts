/**
 * `createChain` of 10 and 100 trivial sync steps (x => x + 1) against LangChain's RunnableSequence
 * of RunnableLambdas, invoked in the same process. Per-step overhead = (time(100) - time(10)) / 90,
 * which cancels what every run pays once (run id, Result, chain span, metrics).
 *
 * Measured twice for Baton: with no OpenTelemetry SDK registered (the default), and with an SDK
 * tracer (in-memory exporter) and meter passed through options, which records one span per step.
 *
 * Target (issue 3): LangChain's per-step overhead / Baton's (no SDK) >= 30.
 */
import { createChain } from '@baton/chain';
import { runnable, withMeterProvider, withTracerProvider, type Runnable } from '@baton/core';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import {
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  AggregationTemporality,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Bench } from 'tinybench';
import { stepOverhead } from './step-overhead.js';

const SIZES = [10, 100] as const;
const inc = (x: number): number => x + 1;

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(spans)],
});
const meterProvider = new MeterProvider({
  readers: [
    new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 60_000,
    }),
  ],
});

function batonChain(n: number, sdk: boolean): Runnable<number, number> {
  const steps = Array.from({ length: n }, (_, i) => runnable(`inc${i}`, inc));
  const options = sdk ? [withTracerProvider(tracerProvider), withMeterProvider(meterProvider)] : [];
  return createChain(steps, ...options)._unsafeUnwrap();
}

function langchainSequence(n: number): RunnableSequence<number, number> {
  const steps = Array.from({ length: n }, () => RunnableLambda.from(inc));
  const [first, ...rest] = steps;
  const last = rest.pop();
  return RunnableSequence.from<number, number>([first!, ...rest, last!]);
}

async function check(): Promise<void> {
  for (const n of SIZES) {
    const plain = (await batonChain(n, false).invoke(0))._unsafeUnwrap();
    const traced = (await batonChain(n, true).invoke(0))._unsafeUnwrap();
    const lc = await langchainSequence(n).invoke(0);
    if (plain !== n || traced !== n || lc !== n) {
      throw new Error(
        `wrong output for n=${n}: baton ${plain}, baton+sdk ${traced}, langchain ${lc}`,
      );
    }
  }
  // One span per step plus the chain span, per run: the SDK really records.
  const recorded = spans.getFinishedSpans().length;
  if (recorded !== SIZES.reduce((sum, n) => sum + n + 1, 0))
    throw new Error(`unexpected span count ${recorded}`);
  spans.reset();
}

async function main(): Promise<void> {
  await check();
  const bench = new Bench({ time: 1_500, warmupTime: 300 });
  let runs = 0;
  for (const n of SIZES) {
    const baton = batonChain(n, false);
    const traced = batonChain(n, true);
    const lc = langchainSequence(n);
    bench
      .add(`baton n=${n}`, async () => {
        (await baton.invoke(0))._unsafeUnwrap();
      })
      .add(`baton+sdk n=${n}`, async () => {
        (await traced.invoke(0))._unsafeUnwrap();
        // Keep the exporter's memory flat; reset is cheap next to 1,000 span exports.
        if (++runs % 1_000 === 0) spans.reset();
      })
      .add(`langchain n=${n}`, async () => {
        await lc.invoke(0);
      });
  }
  await bench.run();

  const { perStep } = stepOverhead(bench);
  console.table(
    ['baton', 'baton+sdk', 'langchain'].map((label) => ({
      impl: label,
      'per-step overhead (ns)': perStep(label).toFixed(1),
    })),
  );
  const ratio = perStep('langchain') / perStep('baton');
  const sdkRatio = perStep('langchain') / perStep('baton+sdk');
  console.log(`LangChain / Baton per-step overhead (no SDK): ${ratio.toFixed(1)}x (target >= 30x)`);
  console.log(
    `LangChain / Baton per-step overhead (SDK + in-memory exporter): ${sdkRatio.toFixed(1)}x`,
  );
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  if (!(ratio >= 30)) process.exitCode = 1;
}

await main();
