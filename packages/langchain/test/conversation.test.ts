/**
 * End to end: a LangChain LCEL sequence (prompt -> fake chat model -> parser) as the step of a
 * Baton chain with buffer memory, over three turns; the model must see the earlier turns.
 */
import { createChain, withChainMemory, withChainName } from '@baton/chain';
import { lastOutput, type ChatHistory } from '@baton/core';
import {
  fromLangChain,
  fromLangChainChatHistory,
  toLangChain,
  withLangChainName,
} from '@baton/langchain';
import { createBufferMemory, withChatHistory, withReturnMessages } from '@baton/memory';
import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import type { BaseMessage } from '@langchain/core/messages';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { RunnableLambda } from '@langchain/core/runnables';
import { tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { texts } from './support/array-chat-history.js';
import { RecordingChatModel } from './support/recording-chat-model.js';

interface Turn {
  readonly input: string;
}

const SYSTEM = 'You are a helpful assistant.';
const ANSWERS = ['Hello Ada!', 'Chess is a fine game.', 'You are Ada and you like chess.'];

function conversation(history?: ChatHistory<BaseMessage>) {
  const model = new RecordingChatModel({ responses: ANSWERS });
  const prompt = ChatPromptTemplate.fromMessages([
    ['system', SYSTEM],
    new MessagesPlaceholder('history'),
    ['human', '{input}'],
  ]);
  const lcel = prompt.pipe(model).pipe(new StringOutputParser());
  const memory = createBufferMemory(
    withReturnMessages(),
    ...(history === undefined ? [] : [withChatHistory(history)]),
  )._unsafeUnwrap();
  const step = fromLangChain<Turn & { history?: BaseMessage[] }, string>(
    lcel,
    withLangChainName('chat-model'),
  );
  const chain = createChain(
    [step],
    withChainName('conversation'),
    withChainMemory(memory),
  )._unsafeUnwrap();
  return { model, memory, chain };
}

/** What the model was sent on each turn after the first, in `type:content` form. */
const EXPECTED_THIRD_CALL = [
  `system:${SYSTEM}`,
  'human:Hi, I am Ada.',
  `ai:${ANSWERS[0]}`,
  'human:I like chess.',
  `ai:${ANSWERS[1]}`,
  'human:Who am I?',
];

describe('LCEL sequence inside a Baton chain with buffer memory', () => {
  it('remembers three turns, and the model sees the history (invoke and stream)', async () => {
    const { model, memory, chain } = conversation();

    expect((await chain.invoke({ input: 'Hi, I am Ada.' }))._unsafeUnwrap()).toBe(ANSWERS[0]);

    // Turn 2 streamed: the model's tokens arrive as chunk events of the LangChain step.
    const chunks: unknown[] = [];
    const second = await lastOutput(
      chain.stream({ input: 'I like chess.' }).pipe(
        tap((event) => {
          if (event.type === 'chunk') chunks.push(event.chunk);
        }),
      ),
    );
    expect(second._unsafeUnwrap()).toBe(ANSWERS[1]);
    expect(chunks.join('')).toBe(ANSWERS[1]);

    expect((await chain.invoke({ input: 'Who am I?' }))._unsafeUnwrap()).toBe(ANSWERS[2]);

    expect(model.received).toHaveLength(3);
    expect(texts(model.received[0] ?? [])).toEqual([`system:${SYSTEM}`, 'human:Hi, I am Ada.']);
    expect(texts(model.received[1] ?? [])).toEqual(EXPECTED_THIRD_CALL.slice(0, 4));
    expect(texts(model.received[2] ?? [])).toEqual(EXPECTED_THIRD_CALL);
    expect(texts((await memory.chatHistory.getMessages())._unsafeUnwrap())).toEqual([
      ...EXPECTED_THIRD_CALL.slice(1),
      `ai:${ANSWERS[2]}`,
    ]);
  });

  it('streams the model tokens of a turn as chunk events, joined into the output', async () => {
    const { chain } = conversation();
    const chunks: unknown[] = [];
    let output: unknown;
    await new Promise<void>((resolve, reject) => {
      chain.stream({ input: 'Hi, I am Ada.' }).subscribe({
        next: (event) => {
          if (event.type === 'chunk') chunks.push(event.chunk);
          if (event.type === 'run-end') output = event.output;
        },
        error: reject,
        complete: resolve,
      });
    });
    expect(chunks.join('')).toBe(ANSWERS[0]);
    expect(chunks.length).toBe(ANSWERS[0]?.length);
    expect(output).toBe(ANSWERS[0]);
  });

  it('keeps the conversation in a LangChain chat history through fromLangChainChatHistory', async () => {
    const lcHistory = new InMemoryChatMessageHistory();
    const { model, chain } = conversation(fromLangChainChatHistory(lcHistory));
    for (const input of ['Hi, I am Ada.', 'I like chess.', 'Who am I?']) {
      (await chain.invoke({ input }))._unsafeUnwrap();
    }
    expect(texts(model.received[2] ?? [])).toEqual(EXPECTED_THIRD_CALL);
    expect(await lcHistory.getMessages()).toHaveLength(6);
  });

  it('the same Baton chain runs inside LCEL through toLangChain (invoke and stream)', async () => {
    const { model, chain } = conversation();
    const lcel = RunnableLambda.from((input: string): Turn => ({ input })).pipe(toLangChain(chain));
    expect(await lcel.invoke('Hi, I am Ada.')).toBe(ANSWERS[0]);
    const streamed: string[] = [];
    for await (const chunk of await lcel.stream('I like chess.')) streamed.push(chunk);
    expect(streamed.join('')).toBe(ANSWERS[1]);
    expect(streamed.length).toBeGreaterThan(1);
    expect(await lcel.invoke('Who am I?')).toBe(ANSWERS[2]);
    expect(texts(model.received[2] ?? [])).toEqual(EXPECTED_THIRD_CALL);
  });
});
