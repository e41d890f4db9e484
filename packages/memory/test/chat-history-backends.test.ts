import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrchestrationError } from '@baton/core';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import type { ResultAsync } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileChatHistory } from '../src/file-chat-history.js';
import { withDirectory } from '../src/file-options.js';
import { createInMemoryChatHistory } from '../src/in-memory-chat-history.js';
import { describeChatHistoryContract } from './chat-history-contract.js';
import { fails, ok } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-chat-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeChatHistoryContract('in-memory', (id) => ok(createInMemoryChatHistory(id)), {
  persistent: false,
});
describeChatHistoryContract('file', (id) => ok(createFileChatHistory(id, withDirectory(dir))), {
  persistent: true,
});

describe('createFileChatHistory', () => {
  const open = (id: string) => ok(createFileChatHistory(id, withDirectory(dir)));

  it('writes one stored message per line', async () => {
    const history = await open('lines');
    await ok(history.addMessages([new HumanMessage('a'), new AIMessage('b')]));
    const lines = (await readFile(history.path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['human', 'ai']);
  });

  it('ignores a torn last line and appends after the intact lines', async () => {
    const history = await open('torn');
    await ok(history.addMessages([new HumanMessage('kept 1'), new AIMessage('kept 2')]));
    await appendFile(history.path, '{"type":"human","data":{"content":"half');
    expect((await ok(history.getMessages())).map((m) => m.text)).toEqual(['kept 1', 'kept 2']);
    await ok(history.addMessage(new HumanMessage('after crash')));
    expect((await ok(history.getMessages())).map((m) => m.text)).toEqual([
      'kept 1',
      'kept 2',
      'after crash',
    ]);
  });

  it('fails on a corrupt middle line with invalid_state naming the file and line', async () => {
    const history = await open('corrupt');
    await ok(history.addMessage(new HumanMessage('first')));
    await appendFile(history.path, 'not json\n');
    await ok(history.addMessage(new HumanMessage('third')));
    const error = await fails(history.getMessages());
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain(history.path);
    expect(error.message).toContain('line 2');
  });

  it('fails on a line that is JSON but not a stored message', async () => {
    const history = await open('wrong-shape');
    await writeFile(history.path, '{"type":"alien","data":{"content":"x"}}\n[1,2]\n');
    const error = await fails(history.getMessages());
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain('line 1');
  });

  it('maps session ids to safe file names inside the directory', async () => {
    const history = await open('../../etc/passwd');
    expect(history.path.startsWith(dir)).toBe(true);
    expect(history.path).toContain('%2E%2E%2F');
  });

  it('rejects invalid options and session ids with invalid_config naming them', async () => {
    const badDir = await fails(createFileChatHistory('s', withDirectory('  ')));
    expect(badDir.code).toBe('invalid_config');
    expect(badDir.message).toContain('directory');
    const badId = await fails(createFileChatHistory(''));
    expect(badId.code).toBe('invalid_config');
    expect(badId.message).toContain('sessionId');
    expect((await fails(createInMemoryChatHistory('\n'))).message).toContain('sessionId');
  });

  it('reports an unwritable location as a typed error and an unhealthy check', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const history = await ok(createFileChatHistory('x', withDirectory(join(file, 'sub'))));
    const error = await fails(history.addMessage(new HumanMessage('x')));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain(file);
    expect((await history.check()).status).toBe('unhealthy');
  });

  it('a session id whose file name is near the limit can be cleared and replaced, not only appended', async () => {
    // 250 bytes + '.jsonl' fits a 255-byte file name; a temp name derived from it would not.
    const history = await open('l'.repeat(249));
    await ok(history.addMessages([new HumanMessage('a'), new AIMessage('b')]));
    await ok(history.replaceMessages([new AIMessage('kept')]));
    expect((await ok(history.getMessages())).map((m) => m.text)).toEqual(['kept']);
    await ok(history.clear());
    expect(await ok(history.getMessages())).toEqual([]);
  });

  it('a session id too long for a file name fails every operation with invalid_input', async () => {
    const history = await open('l'.repeat(300));
    const calls: ResultAsync<unknown, OrchestrationError>[] = [
      history.addMessage(new HumanMessage('x')),
      history.getMessages(),
      history.clear(),
    ];
    for (const result of calls) {
      const error = await fails(result);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('shorter id');
    }
  });

  it('keeps unicode, spaces and colons in session ids and directories', async () => {
    const history = await ok(
      createFileChatHistory('用户 42: ünïcode', withDirectory(join(dir, 'dïr ü'))),
    );
    await ok(history.addMessages([new HumanMessage('héllo 👋'), new AIMessage('ok')]));
    const again = await ok(
      createFileChatHistory('用户 42: ünïcode', withDirectory(join(dir, 'dïr ü'))),
    );
    expect((await ok(again.getMessages())).map((m) => m.text)).toEqual(['héllo 👋', 'ok']);
  });

  it('two instances appending to one session in one process keep every message in order', async () => {
    const a = await open('shared');
    const b = await open('shared');
    const writes = [];
    for (let i = 0; i < 40; i++) {
      const history = i % 2 === 0 ? a : b;
      writes.push(history.addMessages([new HumanMessage(`q${i}`), new AIMessage(`a${i}`)]));
    }
    for (const result of await Promise.all(writes)) expect(result.isOk()).toBe(true);
    const expected = Array.from({ length: 40 }, (_, i) => [`q${i}`, `a${i}`]).flat();
    expect((await ok(a.getMessages())).map((m) => m.text)).toEqual(expected);
  });

  it('when the session file is a directory, every operation fails with invalid_config and leaves no temp file', async () => {
    const sub = join(dir, 'is-a-dir');
    await mkdir(join(sub, 'd.jsonl'), { recursive: true });
    const history = await ok(createFileChatHistory('d', withDirectory(sub)));
    const calls: ResultAsync<unknown, OrchestrationError>[] = [
      history.addMessage(new HumanMessage('x')),
      history.getMessages(),
      history.clear(),
      history.replaceMessages([new HumanMessage('y')]),
    ];
    for (const result of calls) {
      const error = await fails(result);
      expect(error.code).toBe('invalid_config');
      expect(error.message).toContain(history.path);
    }
    expect(await readdir(sub)).toEqual(['d.jsonl']);
    const report = await history.check();
    expect(report.status).toBe('unhealthy');
    expect(report.details['error']).toContain('is not a file');
  });
});
