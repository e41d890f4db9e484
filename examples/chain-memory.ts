/**
 * A chat chain that remembers the conversation across turns.
 *
 * Three steps — build a prompt from the question and the remembered history, call a (fake,
 * deterministic) model that streams its answer word by word, shape the answer — with a buffer
 * memory from @baton/memory: the chain loads `history` before the first step and saves each
 * exchange after the last. The last turn is streamed to show every step's events and the chunks.
 *
 * Run: pnpm build && pnpm exec tsx examples/chain-memory.ts
 */
import {
  createChain,
  withChainInputKeys,
  withChainMemory,
  withChainName,
  withChainOutputKeys,
  withChainRetries,
  withChainStepTimeout,
} from '@baton/chain';
import { runnable, toAsyncIterable } from '@baton/core';
import { createBufferMemory } from '@baton/memory';

interface Turn {
  readonly question: string;
  /** Filled in by the memory: `Human: ...\nAI: ...` lines of the earlier turns. */
  readonly history?: string;
}

/** Step 1: the prompt a model would see. */
const prompt = runnable('prompt', ({ question, history }: Turn) =>
  [
    history ? `Conversation so far:\n${history}` : 'New conversation.',
    `Human: ${question}`,
    'AI:',
  ].join('\n'),
);

/** Step 2: a stand-in for an LLM. It streams its reply, which reads the remembered name. */
const model = runnable('model', async function* (text: string, ctx) {
  const turns = (text.match(/^Human:/gm) ?? []).length;
  const name = /I am (\w+)/.exec(text)?.[1];
  const reply =
    name === undefined
      ? 'Hello! Who are you?'
      : turns === 1
        ? `Nice to meet you, ${name}.`
        : `You are ${name}; I remember ${turns - 1} earlier turn(s).`;
  for (const word of reply.split(' ')) {
    if (ctx.signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
    yield `${word} `;
  }
});

/** Step 3: the chain's output record; `answer` is what the memory saves as the AI side. */
const shape = runnable('shape', (reply: string) => ({
  answer: reply.trim(),
  words: reply.trim().split(' ').length,
}));

async function main(): Promise<void> {
  const memory = createBufferMemory()._unsafeUnwrap();
  const chat = createChain(
    [prompt, model, shape],
    withChainName('chat'),
    withChainMemory(memory),
    withChainInputKeys('question'),
    withChainOutputKeys('answer'),
    withChainStepTimeout(5_000),
    withChainRetries(1),
  )._unsafeUnwrap();

  for (const question of ['Hi, I am Ada.', 'What is my name?']) {
    const result = await chat.invoke({ question });
    if (result.isErr()) throw result.error;
    console.log(`> ${question}\n${result.value.answer}\n`);
  }

  console.log('> Still there? (streamed)');
  let streaming = false;
  for await (const event of toAsyncIterable(chat.stream({ question: 'Still there?' }))) {
    if (event.type === 'chunk') {
      streaming = true;
      process.stdout.write(String(event.chunk));
    } else if (event.type === 'step-start') console.log(`  [${event.step} started]`);
    else if (event.type === 'step-end') {
      console.log(`${streaming ? '\n' : ''}  [${event.step} done in ${event.durationMs} ms]`);
      streaming = false;
    } else if (event.type === 'run-end') console.log(`  output: ${JSON.stringify(event.output)}`);
  }

  const history = await memory.load({});
  console.log('\nRemembered:\n' + String(history._unsafeUnwrap()['history']));
}

await main();
