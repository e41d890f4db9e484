import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatHistory } from '@baton/core';
import { OrchestrationError } from '@baton/core';
import { healthReport } from '@baton/core/authoring';
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import { errAsync, okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { fails, ok } from '../test/helpers.js';
import { createBufferMemory } from './buffer-memory.js';
import { createFileChatHistory } from './file-chat-history.js';
import { withDirectory } from './file-options.js';
import {
  withChatHistory,
  withInputKey,
  withMemoryKey,
  withOutputKey,
  withPrefixes,
  withReturnMessages,
} from './memory-options.js';

const types = (messages: unknown): string[][] =>
  (messages as BaseMessage[]).map((m) => [m.type, m.text]);

describe('createBufferMemory', () => {
  it('starts empty and remembers exchanges as a Human/AI transcript', async () => {
    const memory = await ok(createBufferMemory());
    expect(memory.memoryKeys).toEqual(['history']);
    expect(await ok(memory.load({}))).toEqual({ history: '' });
    await ok(memory.save({ input: 'Hi, I am Ada' }, { output: 'Hello Ada!' }));
    await ok(memory.save({ input: 'Who am I?' }, { output: 'Ada.' }));
    expect(await ok(memory.load({}))).toEqual({
      history: 'Human: Hi, I am Ada\nAI: Hello Ada!\nHuman: Who am I?\nAI: Ada.',
    });
  });

  it('returns messages with withReturnMessages, under a custom key and prefixes', async () => {
    const memory = await ok(createBufferMemory(withReturnMessages(), withMemoryKey('chat')));
    await ok(memory.save({ input: 'q' }, { output: 'a' }));
    const loaded = await ok(memory.load({}));
    expect(types(loaded['chat'])).toEqual([
      ['human', 'q'],
      ['ai', 'a'],
    ]);
    const labelled = await ok(createBufferMemory(withPrefixes('User', 'Bot')));
    await ok(labelled.save({ input: 'q' }, { output: 'a' }));
    expect(await ok(labelled.load({}))).toEqual({ history: 'User: q\nBot: a' });
  });

  it('picks the input key: the only one, ignoring the memory key a chain merged in', async () => {
    const memory = await ok(createBufferMemory(withReturnMessages()));
    await ok(memory.save({ history: 'old transcript', question: 'why?' }, { answer: 'because' }));
    expect(types((await ok(memory.load({})))['history'])).toEqual([
      ['human', 'why?'],
      ['ai', 'because'],
    ]);
  });

  it('prefers `input`/`output` among several keys, else keeps them all as JSON', async () => {
    const memory = await ok(createBufferMemory(withReturnMessages()));
    await ok(memory.save({ input: 'the question', context: 'long' }, { output: 'x', usage: 3 }));
    await ok(memory.save({ a: 1, b: 'two' }, { c: true, d: null }));
    expect(types((await ok(memory.load({})))['history'])).toEqual([
      ['human', 'the question'],
      ['ai', 'x'],
      ['human', '{"a":1,"b":"two"}'],
      ['ai', '{"c":true,"d":null}'],
    ]);
  });

  it('uses explicit input and output keys', async () => {
    const memory = await ok(
      createBufferMemory(withInputKey('q'), withOutputKey('a'), withReturnMessages()),
    );
    await ok(memory.save({ q: 'asked', input: 'ignored' }, { a: 'answered', output: 'ignored' }));
    expect(types((await ok(memory.load({})))['history'])).toEqual([
      ['human', 'asked'],
      ['ai', 'answered'],
    ]);
  });

  it('handles non-string values: messages kept as they are, objects as JSON, numbers as text', async () => {
    const memory = await ok(createBufferMemory(withReturnMessages()));
    await ok(
      memory.save(
        { input: new HumanMessage({ content: 'as a message', name: 'ada' }) },
        { output: 42 },
      ),
    );
    await ok(
      memory.save(
        { input: { nested: { deep: [1, 2] } } },
        { output: [new AIMessage('one'), new AIMessage('two')] },
      ),
    );
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    await ok(memory.save({ input: cyclic }, { output: undefined }));
    const messages = (await ok(memory.load({})))['history'] as BaseMessage[];
    expect(types(messages).slice(0, 5)).toEqual([
      ['human', 'as a message'],
      ['ai', '42'],
      ['human', '{"nested":{"deep":[1,2]}}'],
      ['ai', 'one'],
      ['ai', 'two'],
    ]);
    expect(messages[0]?.name).toBe('ada');
    expect(messages[5]?.text).toContain('loop'); // a cycle is rendered, not rejected
    expect(messages).toHaveLength(6); // an undefined output adds no AI message
  });

  it('rejects inputs that are not records with invalid_input instead of throwing', async () => {
    const memory = await ok(createBufferMemory());
    const error = await fails(memory.save(null as never, {}));
    expect(error.code).toBe('invalid_input');
  });

  it('stores into the given ChatHistory, so a file history persists the conversation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-buffer-'));
    try {
      const history = await ok(createFileChatHistory('s1', withDirectory(dir)));
      const first = await ok(createBufferMemory(withChatHistory(history)));
      await ok(first.save({ input: 'remember me' }, { output: 'ok' }));
      const reopened = await ok(createFileChatHistory('s1', withDirectory(dir)));
      const second = await ok(createBufferMemory(withChatHistory(reopened)));
      expect(await ok(second.load({}))).toEqual({ history: 'Human: remember me\nAI: ok' });
      expect(second.chatHistory).toBe(reopened);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('clear() forgets everything', async () => {
    const memory = await ok(createBufferMemory());
    await ok(memory.save({ input: 'a' }, { output: 'b' }));
    await ok(memory.clear());
    expect(await ok(memory.load({}))).toEqual({ history: '' });
  });

  it('keeps every exchange of concurrent saves', async () => {
    const memory = await ok(createBufferMemory(withReturnMessages()));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ok(memory.save({ input: `q${i}` }, { output: `a${i}` })),
      ),
    );
    expect((await ok(memory.load({})))['history']).toHaveLength(20);
  });

  it('formats system messages too', async () => {
    const memory = await ok(createBufferMemory());
    await ok(memory.save({ input: new SystemMessage('rules') }, { output: 'ok' }));
    expect(await ok(memory.load({}))).toEqual({ history: 'System: rules\nAI: ok' });
  });

  it('returns the history error, and never throws, when the history fails', async () => {
    const boom = new OrchestrationError('dependency_failed', 'store down');
    const failing: ChatHistory<BaseMessage> = {
      sessionId: 'x',
      getMessages: () => errAsync(boom),
      addMessage: () => errAsync(boom),
      addMessages: () => {
        throw new Error('thrown, not returned');
      },
      clear: () => okAsync(undefined),
      check: () => Promise.resolve(healthReport('x', 'unhealthy')),
    };
    const memory = await ok(createBufferMemory(withChatHistory(failing)));
    expect(await fails(memory.load({}))).toBe(boom);
    const thrown = await fails(memory.save({ input: 'a' }, { output: 'b' }));
    expect(thrown.code).toBe('execution_failed');
    expect(thrown.message).toContain('thrown, not returned');
  });

  it('rejects invalid options with invalid_config naming the option', async () => {
    const key = await fails(createBufferMemory(withMemoryKey('')));
    expect(key.code).toBe('invalid_config');
    expect(key.message).toContain('memoryKey');
    const history = await fails(createBufferMemory(withChatHistory({} as never)));
    expect(history.message).toContain('chatHistory');
    const notAnOption = await fails(createBufferMemory('nope' as never));
    expect(notAnOption.code).toBe('invalid_config');
  });
});
