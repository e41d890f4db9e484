import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { texts } from '../test/support/array-chat-history.js';
import {
  fromLangChainChatHistory,
  withChatHistorySessionId,
} from './from-lang-chain-chat-history.js';
import { toLangChainChatHistory } from './to-lang-chain-chat-history.js';

describe('fromLangChainChatHistory', () => {
  it('exposes a LangChain history as a Baton ChatHistory with Results', async () => {
    const lc = new InMemoryChatMessageHistory();
    const history = fromLangChainChatHistory(lc, withChatHistorySessionId('s9'));
    expect(history.sessionId).toBe('s9');
    expect((await history.addMessage(new SystemMessage('rules'))).isOk()).toBe(true);
    expect((await history.addMessages([new HumanMessage('q'), new AIMessage('a')])).isOk()).toBe(
      true,
    );
    expect(texts((await history.getMessages())._unsafeUnwrap())).toEqual([
      'system:rules',
      'human:q',
      'ai:a',
    ]);
    expect(texts(await lc.getMessages())).toHaveLength(3);
    expect(await history.check()).toMatchObject({ status: 'healthy', details: { messages: 3 } });
    expect((await history.clear()).isOk()).toBe(true);
    expect(await lc.getMessages()).toEqual([]);
  });

  it("uses the LangChain history's own sessionId, else 'default'", () => {
    const withId = Object.assign(new InMemoryChatMessageHistory(), { sessionId: 'lc-1' });
    expect(fromLangChainChatHistory(withId).sessionId).toBe('lc-1');
    expect(fromLangChainChatHistory(new InMemoryChatMessageHistory()).sessionId).toBe('default');
  });

  it('returns failures as Err, never rejecting, and reports unhealthy', async () => {
    const lc = new InMemoryChatMessageHistory();
    lc.getMessages = () => Promise.reject(new Error('disk gone'));
    lc.addMessage = () => {
      throw new Error('sync failure');
    };
    const history = fromLangChainChatHistory(lc);
    const read = (await history.getMessages())._unsafeUnwrapErr();
    expect(read).toMatchObject({
      code: 'execution_failed',
      op: 'langchainChatHistory.getMessages',
    });
    expect(read.message).toContain('disk gone');
    expect((await history.addMessage(new HumanMessage('x')))._unsafeUnwrapErr().message).toContain(
      'sync failure',
    );
    expect(await history.check()).toMatchObject({ status: 'unhealthy' });
  });

  it('refuses values that are not messages with invalid_input, before LangChain sees them', async () => {
    const lc = new InMemoryChatMessageHistory();
    const history = fromLangChainChatHistory(lc);
    const one = (await history.addMessage('hi' as never))._unsafeUnwrapErr();
    expect(one.code).toBe('invalid_input');
    const many = (
      await history.addMessages([new HumanMessage('ok'), { content: 'x' } as never])
    )._unsafeUnwrapErr();
    expect(many).toMatchObject({ code: 'invalid_input', details: { index: 1 } });
    expect(await lc.getMessages()).toEqual([]);
  });

  it('round-trips: toLangChainChatHistory(fromLangChainChatHistory(x)) reads and writes x', async () => {
    const lc = new InMemoryChatMessageHistory();
    const back = toLangChainChatHistory(fromLangChainChatHistory(lc));
    await back.addUserMessage('ping');
    expect(texts(await lc.getMessages())).toEqual(['human:ping']);
  });

  it('refuses bad input and options with invalid_config', () => {
    expect(() => fromLangChainChatHistory({} as never)).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(() =>
      fromLangChainChatHistory(new InMemoryChatMessageHistory(), withChatHistorySessionId('')),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        message: expect.stringContaining('sessionId'),
      }),
    );
  });
});
