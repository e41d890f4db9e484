import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HumanMessage } from '@langchain/core/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileChatHistory } from '../src/file-chat-history.js';
import { createFileCheckpointStore } from '../src/file-checkpoint-store.js';
import { withDirectory } from '../src/file-options.js';
import { ok } from './helpers.js';

const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs the writer until it acknowledged at least `minAcks` records, kills it with SIGKILL and
 * returns the last acknowledged index.
 */
function runAndKill(
  kind: 'chat' | 'checkpoint',
  directory: string,
  minAcks: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, kind, directory], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    let lastAck = -1;
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`writer acknowledged only ${lastAck + 1} records in time; stderr: ${stderr}`),
      );
    }, 60_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) lastAck = Number(line);
      if (lastAck + 1 >= minAcks && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      // Acks printed after the kill was sent but before the process died still count.
      const tail = buffered.trim();
      if (tail !== '') lastAck = Number(tail);
      if (signal === 'SIGKILL' && killed) resolve(lastAck);
      else reject(new Error(`writer exited on its own (signal ${String(signal)}): ${stderr}`));
    });
  });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('file backends survive SIGKILL mid-append', () => {
  it(
    'chat history: every acknowledged message is there after reopening',
    { timeout: 90_000 },
    async () => {
      const directory = join(dir, 'chat');
      const lastAck = await runAndKill('chat', directory, 40);
      const history = await ok(createFileChatHistory('crash', withDirectory(directory)));
      const texts = (await ok(history.getMessages())).map((m) => m.text.split(' ')[0]);
      const acknowledged = Array.from({ length: lastAck + 1 }, (_, i) => `m${i}`);
      expect(texts.slice(0, acknowledged.length)).toEqual(acknowledged);
      expect(texts.length).toBeLessThanOrEqual(acknowledged.length + 1); // at most the unacknowledged one
      // A torn tail (as a kill mid-write leaves) is skipped, and appending continues cleanly.
      await appendFile(history.path, '{"type":"human","data":{"conte');
      await ok(history.addMessage(new HumanMessage('after')));
      const after = (await ok(history.getMessages())).map((m) => m.text.split(' ')[0]);
      expect(after.slice(0, acknowledged.length)).toEqual(acknowledged);
      expect(after.at(-1)).toBe('after');
    },
  );

  it(
    'checkpoint store: every acknowledged node record is there after reopening',
    { timeout: 90_000 },
    async () => {
      const directory = join(dir, 'checkpoints');
      const lastAck = await runAndKill('checkpoint', directory, 40);
      const store = await ok(createFileCheckpointStore(withDirectory(directory)));
      const { run, nodes } = await ok(store.loadRun('crash'));
      expect(run.runId).toBe('crash');
      const names = nodes.map((n) => n.node);
      const acknowledged = Array.from({ length: lastAck + 1 }, (_, i) => `n${i}`);
      expect(names.slice(0, acknowledged.length)).toEqual(acknowledged);
      expect(names.length).toBeLessThanOrEqual(acknowledged.length + 1);
    },
  );
});
