import { OrchestrationError, type ChatHistory } from '@baton/core';
import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { RunnableWithMessageHistory } from '@langchain/core/runnables';
import { errAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { arrayChatHistory as arrayHistory, texts } from '../test/support/array-chat-history.js';
import { RecordingChatModel } from '../test/support/recording-chat-model.js';
import { toLangChainChatHistory } from './to-lang-chain-chat-history.js';

describe('toLangChainChatHistory', () => {
  it('exposes a Baton history through the LangChain interface', async () => {
    const baton = arrayHistory('abc');
    const lc = toLangChainChatHistory(baton);
    await lc.addUserMessage('hi');
    await lc.addAIMessage('hello');
    await lc.addMessages([new HumanMessage('again'), new AIMessage('sure')]);
    expect(texts(await lc.getMessages())).toEqual([
      'human:hi',
      'ai:hello',
      'human:again',
      'ai:sure',
    ]);
    expect(texts(baton.messages)).toHaveLength(4);
    expect((lc as unknown as { sessionId: string }).sessionId).toBe('abc');
    await lc.clear();
    expect(baton.messages).toEqual([]);
  });

  it('rejects with the Baton OrchestrationError when the history fails', async () => {
    const failure = new OrchestrationError('dependency_failed', 'redis is down');
    const broken: ChatHistory<BaseMessage> = {
      ...arrayHistory(),
      getMessages: () => errAsync(failure),
      addMessage: () => errAsync(failure),
    };
    const lc = toLangChainChatHistory(broken);
    await expect(lc.getMessages()).rejects.toBe(failure);
    await expect(lc.addUserMessage('x')).rejects.toBe(failure);
  });

  it("backs LangChain's RunnableWithMessageHistory: the model sees earlier turns", async () => {
    const model = new RecordingChatModel({ responses: ['Hi Ada!', 'You are Ada.'] });
    const prompt = ChatPromptTemplate.fromMessages([
      ['system', 'Be brief.'],
      new MessagesPlaceholder('history'),
      ['human', '{question}'],
    ]);
    const baton = arrayHistory('session-1');
    // Deprecated in favour of LangGraph persistence, but still LCEL's consumer of chat histories.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const withHistory = new RunnableWithMessageHistory({
      runnable: prompt.pipe(model),
      getMessageHistory: () => toLangChainChatHistory(baton),
      inputMessagesKey: 'question',
      historyMessagesKey: 'history',
    });
    const config = { configurable: { sessionId: 'session-1' } };
    await withHistory.invoke({ question: 'I am Ada.' }, config);
    await withHistory.invoke({ question: 'Who am I?' }, config);
    expect(texts(model.received[1] ?? [])).toEqual([
      'system:Be brief.',
      'human:I am Ada.',
      'ai:Hi Ada!',
      'human:Who am I?',
    ]);
    expect(texts(baton.messages)).toEqual([
      'human:I am Ada.',
      'ai:Hi Ada!',
      'human:Who am I?',
      'ai:You are Ada.',
    ]);
  });

  it.each([[{}], [null], [new InMemoryChatMessageHistory()]])(
    'refuses a non-ChatHistory (%#) with invalid_config',
    (value) => {
      expect(() => toLangChainChatHistory(value as never)).toThrow(
        expect.objectContaining({ code: 'invalid_config' }),
      );
    },
  );
});
