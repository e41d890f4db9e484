/**
 * The cost of running LangChain through Baton's adapter, side by side in one process: an LCEL
 * sequence `prompt -> FakeListChatModel -> StringOutputParser` invoked and streamed directly, and
 * the same sequence wrapped with `fromLangChain` (invoke, and stream drained with `lastOutput`).
 * The fake model does not sleep, so the numbers are framework overhead, not model time.
 */
import { lastOutput } from '@baton/core';
import { fromLangChain } from '@baton/langchain';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { Bench } from 'tinybench';

const ANSWER = 'bees make honey from the nectar of flowers they visit';

function lcel() {
  const prompt = ChatPromptTemplate.fromTemplate('tell me about {topic}');
  const model = new FakeListChatModel({ responses: [ANSWER] });
  return prompt.pipe(model).pipe(new StringOutputParser());
}

async function main(): Promise<void> {
  const direct = lcel();
  const adapted = fromLangChain(lcel());
  const input = { topic: 'bees' };

  const check = (await adapted.invoke(input))._unsafeUnwrap();
  if (check !== ANSWER || (await direct.invoke(input)) !== ANSWER) {
    throw new Error(`unexpected output: ${check}`);
  }

  const bench = new Bench({ time: 2_000, warmupTime: 300 });
  bench
    .add('LCEL invoke', async () => {
      await direct.invoke(input);
    })
    .add('fromLangChain(LCEL).invoke', async () => {
      (await adapted.invoke(input))._unsafeUnwrap();
    })
    .add('LCEL stream, drained', async () => {
      let chars = 0;
      for await (const chunk of await direct.stream(input)) chars += chunk.length;
      if (chars !== ANSWER.length) throw new Error(`streamed ${chars} characters`);
    })
    .add('fromLangChain(LCEL).stream + lastOutput', async () => {
      (await lastOutput(adapted.stream(input)))._unsafeUnwrap();
    });
  await bench.run();

  const mean = new Map(
    bench.tasks.map((task) => {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
      return [task.name, result.latency.mean] as const;
    }),
  );
  console.log('\nLangChain through fromLangChain (fake model, one process)');
  console.table([...mean].map(([task, ms]) => ({ task, 'mean (µs)': (ms * 1e3).toFixed(1) })));
  const ratio = (a: string, b: string): string =>
    ((mean.get(a) ?? NaN) / (mean.get(b) ?? NaN)).toFixed(2);
  console.log(
    `adapter / direct: invoke ${ratio('fromLangChain(LCEL).invoke', 'LCEL invoke')}x, ` +
      `stream ${ratio('fromLangChain(LCEL).stream + lastOutput', 'LCEL stream, drained')}x`,
  );
}

await main();
