import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileCheckpointStore, withDirectory } from '@baton/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/durable-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface Exit {
  readonly lines: string[];
  readonly killed: boolean;
}

/** Runs the child; with `kill`, sends SIGKILL as soon as it prints `hang`. */
function runChild(args: readonly string[], kill: boolean): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    let buffered = '';
    let killed = false;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the child did not finish in time; stderr: ${stderr}`));
    }, 60_000);
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (line === 'hang' && kill && !killed) {
          killed = true;
          proc.kill('SIGKILL');
        }
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    proc.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (kill && !(killed && signal === 'SIGKILL'))
        reject(new Error(`the child was not killed: ${lines.join('|')} ${stderr}`));
      else resolve({ lines, killed });
    });
  });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-durable-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const logLines = async (log: string): Promise<string[]> =>
  (await readFile(log, 'utf8')).split('\n').filter((l) => l !== '');
const count = (lines: readonly string[], label: string): number =>
  lines.filter((l) => l === label).length;
const resultOf = (exit: Exit): unknown => {
  const line = exit.lines.find((l) => l.startsWith('result:') || l.startsWith('error:')) ?? '';
  if (!line.startsWith('result:')) throw new Error(`the resume failed: ${line}`);
  return JSON.parse(line.slice('result:'.length)) as unknown;
};

describe('SIGKILL, then a resume in a new process', () => {
  it('mid-loop: continues at the iteration it was in', { timeout: 120_000 }, async () => {
    const log = join(dir, 'loop.log');
    const store = join(dir, 'loop');
    await runChild(['loop', store, log, 'run', 'agent:3'], true);
    const before = await logLines(log);
    expect(before).toEqual(['agent:1', 'agent:2', 'agent:3']);
    const resumed = await runChild(['loop', store, log, 'resume'], false);
    expect(resultOf(resumed)).toBe(6);
    const after = await logLines(log);
    // iterations 1 and 2 were recorded before the kill: they ran once; 3 ran again
    expect(after).toEqual(['agent:1', 'agent:2', 'agent:3', 'agent:3', 'agent:4', 'agent:5']);
  });

  it('mid-map: runs only the items that had not finished', { timeout: 120_000 }, async () => {
    const log = join(dir, 'map.log');
    const directory = join(dir, 'map');
    await runChild(['map', directory, log, 'run', 'item:5'], true);
    const files = createFileCheckpointStore(withDirectory(directory))._unsafeUnwrap();
    const stored = (await files.loadRun('crash-map/each'))._unsafeUnwrap();
    const finished = stored.nodes
      .filter((n) => n.status === 'succeeded')
      .map((n) => Number(n.node));
    expect(finished.length).toBeGreaterThanOrEqual(3); // items 1-4 ran 2 at a time before 5
    const resumed = await runChild(['map', directory, log, 'resume'], false);
    expect(resultOf(resumed)).toEqual([1, 4, 9, 16, 25, 36, 49, 64]);
    const after = await logLines(log);
    for (let i = 0; i < 8; i++) {
      const label = `item:${i + 1}`;
      expect(count(after, label)).toBeGreaterThanOrEqual(1); // nothing is missing
      if (finished.includes(i)) expect(count(after, label)).toBe(1); // recorded: never again
    }
  });

  it(
    'while interrupted: the answer given in a new process reaches the node',
    { timeout: 120_000 },
    async () => {
      const log = join(dir, 'interrupt.log');
      const directory = join(dir, 'interrupt');
      await runChild(['interrupt', directory, log, 'run'], true);
      const files = createFileCheckpointStore(withDirectory(directory))._unsafeUnwrap();
      const stored = (await files.loadRun('crash-interrupt'))._unsafeUnwrap();
      expect(stored.run.status).toBe('interrupted');
      expect(stored.run.interrupts).toEqual({ ask: { question: 'multiply by?', n: 5 } });
      const resumed = await runChild(
        ['interrupt', directory, log, 'resume', JSON.stringify({ ask: 3 })],
        false,
      );
      expect(resultOf(resumed)).toEqual({ ask: 15, side: -5 });
      const after = await logLines(log);
      expect(count(after, 'pre')).toBe(1);
      expect(count(after, 'side')).toBe(1);
      expect(count(after, 'ask')).toBe(2); // asked, then answered
    },
  );
});
