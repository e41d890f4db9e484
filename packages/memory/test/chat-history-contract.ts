import type { ChatHistory } from '@baton/core';
import {
  AIMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
  type BaseMessage,
} from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { isReplaceable } from '../src/replaceable-chat-history.js';
import { ok } from './helpers.js';

/** Makes a history for a session; called several times per test with the same id to reopen. */
export type ChatHistoryFactory = (
  sessionId: string,
) => ChatHistory<BaseMessage> | Promise<ChatHistory<BaseMessage>>;

export interface ChatHistoryContractOptions {
  /** Whether a second history with the same session id sees the first one's messages. */
  readonly persistent: boolean;
}

function shape(messages: readonly BaseMessage[]) {
  return messages.map((m) => ({ type: m.type, content: m.content, name: m.name, id: m.id }));
}

let counter = 0;
const freshId = (label: string): string => `${label}-${Date.now().toString(36)}-${counter++}`;

/**
 * The behaviour every ChatHistory backend must have. Call it inside a test file with a factory
 * for the backend under test.
 */
export function describeChatHistoryContract(
  name: string,
  factory: ChatHistoryFactory,
  options: ChatHistoryContractOptions,
): void {
  describe(`ChatHistory contract: ${name}`, () => {
    it('an unknown session is an empty history, not an error', async () => {
      const history = await factory(freshId('unknown'));
      expect(await ok(history.getMessages())).toEqual([]);
    });

    it('keeps messages in order with their type, content, name, id and tool fields', async () => {
      const history = await factory(freshId('order'));
      const ai = new AIMessage({
        content: 'calling a tool',
        id: 'ai-1',
        tool_calls: [{ id: 'call-1', name: 'lookup', args: { q: 'x' }, type: 'tool_call' }],
      });
      const sent: BaseMessage[] = [
        new SystemMessage('be brief'),
        new HumanMessage({ content: 'hi\nthere "quoted" ünïcödé 🎉', name: 'ada' }),
        ai,
        new ToolMessage({ content: '{"answer":42}', tool_call_id: 'call-1' }),
        new HumanMessage({ content: [{ type: 'text', text: 'block content' }] }),
      ];
      await ok(history.addMessage(sent[0] as BaseMessage));
      await ok(history.addMessages(sent.slice(1)));
      const got = await ok(history.getMessages());
      expect(shape(got)).toEqual(shape(sent));
      const gotAi = got[2] as AIMessage;
      expect(gotAi.tool_calls?.[0]).toMatchObject({
        id: 'call-1',
        name: 'lookup',
        args: { q: 'x' },
      });
      expect((got[3] as ToolMessage).tool_call_id).toBe('call-1');
    });

    it('appending nothing is a no-op', async () => {
      const history = await factory(freshId('empty'));
      await ok(history.addMessages([]));
      expect(await ok(history.getMessages())).toEqual([]);
    });

    it('keeps sessions apart', async () => {
      const a = await factory(freshId('a'));
      const b = await factory(freshId('b'));
      await ok(a.addMessage(new HumanMessage('for a')));
      await ok(b.addMessage(new HumanMessage('for b')));
      expect((await ok(a.getMessages())).map((m) => m.text)).toEqual(['for a']);
      expect((await ok(b.getMessages())).map((m) => m.text)).toEqual(['for b']);
    });

    it('clear() empties the session, which stays usable', async () => {
      const history = await factory(freshId('clear'));
      await ok(history.addMessages([new HumanMessage('1'), new AIMessage('2')]));
      await ok(history.clear());
      expect(await ok(history.getMessages())).toEqual([]);
      await ok(history.clear()); // clearing an empty history is fine too
      await ok(history.addMessage(new HumanMessage('3')));
      expect((await ok(history.getMessages())).map((m) => m.text)).toEqual(['3']);
    });

    it('returns a copy: changing the returned array does not change the history', async () => {
      const history = await factory(freshId('copy'));
      await ok(history.addMessage(new HumanMessage('kept')));
      const got = await ok(history.getMessages());
      got.push(new HumanMessage('not stored'));
      expect(await ok(history.getMessages())).toHaveLength(1);
    });

    it('keeps every message of concurrent appends, each call in call order', async () => {
      const history = await factory(freshId('concurrent'));
      const texts = Array.from({ length: 20 }, (_, i) => `m${i}`);
      await Promise.all(texts.map((t) => ok(history.addMessage(new HumanMessage(t)))));
      expect((await ok(history.getMessages())).map((m) => m.text)).toEqual(texts);
    });

    it('replaceMessages swaps the whole content', async () => {
      const history = await factory(freshId('replace'));
      expect(isReplaceable(history)).toBe(true);
      if (!isReplaceable(history)) return;
      await ok(history.addMessages([new HumanMessage('old 1'), new AIMessage('old 2')]));
      await ok(history.replaceMessages([new SystemMessage('summary'), new HumanMessage('new')]));
      expect((await ok(history.getMessages())).map((m) => [m.type, m.text])).toEqual([
        ['system', 'summary'],
        ['human', 'new'],
      ]);
      await ok(history.replaceMessages([]));
      expect(await ok(history.getMessages())).toEqual([]);
    });

    it('check() reports healthy', async () => {
      const history = await factory(freshId('check'));
      const report = await history.check();
      expect(report.status).toBe('healthy');
    });

    // Only persistent backends can be reopened; the others do not register this test at all.
    if (options.persistent) {
      it('a history reopened with the same session id sees the messages', async () => {
        const id = freshId('reopen');
        const first = await factory(id);
        await ok(first.addMessages([new HumanMessage('q'), new AIMessage('a')]));
        const second = await factory(id);
        expect(second.sessionId).toBe(id);
        expect((await ok(second.getMessages())).map((m) => [m.type, m.text])).toEqual([
          ['human', 'q'],
          ['ai', 'a'],
        ]);
      });
    }
  });
}
