import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileCheckpointStore, withDirectory } from '@baton/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashGraph } from './fixtures/crash-graph-definition.js';

const child = fileURLToPath(new URL('./fixtures/crash-graph.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the child until node "c" started, kills it with SIGKILL, returns the nodes it ran. */
function runUntilCAndKill(directory: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, directory], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ran: string[] = [];
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`node "c" did not start in time; stderr: ${stderr}`));
    }, 60_000);
    let buffered = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ran:')) ran.push(line.slice(4));
        if (line === 'started:c' && !killed) {
          killed = true;
          proc.kill('SIGKILL');
        }
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    proc.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && killed) resolve(ran);
      else reject(new Error(`the child exited on its own (signal ${String(signal)}): ${stderr}`));
    });
  });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-graph-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a graph run killed with SIGKILL', () => {
  it(
    'resumes from its file checkpoints without running finished nodes again',
    { timeout: 90_000 },
    async () => {
      const ranBeforeCrash = await runUntilCAndKill(dir);
      expect(ranBeforeCrash).toContain('c');
      const store = createFileCheckpointStore(withDirectory(dir))._unsafeUnwrap();
      const stored = (await store.loadRun('crashed-run'))._unsafeUnwrap();
      expect(stored.run.status).toBe('running'); // it never got to record an end
      const finished = stored.nodes.map((n) => n.node).sort();
      expect(finished).toEqual(expect.arrayContaining(['a', 'b'])); // written before "c" started

      const ranAfter: string[] = [];
      const graph = crashGraph(store, (name) => {
        ranAfter.push(name);
        return undefined;
      });
      const handle = (await graph.resume('crashed-run'))._unsafeUnwrap();
      expect((await handle.result)._unsafeUnwrap()).toEqual({ c: 19, d: -2 });
      expect(ranAfter).not.toContain('a');
      expect(ranAfter).not.toContain('b');
      expect(ranAfter).toContain('c');
      // "d" ran again only if the kill came before its record was written
      expect(ranAfter.includes('d')).toBe(!finished.includes('d'));
      expect((await store.loadRun('crashed-run'))._unsafeUnwrap().run.status).toBe('succeeded');
    },
  );
});
