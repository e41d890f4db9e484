import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnSupervised } from './supervised-process.js';

/** Live (non-zombie) processes in a process group, read from /proc. */
function liveMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Fields after "(comm)": state ppid pgrp ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

async function waitUntilGone(pgid: number, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let members = liveMembers(pgid);
  while (members.length > 0 && Date.now() < deadline) {
    await sleep(50);
    members = liveMembers(pgid);
  }
  return members;
}

/** Waits until the group has at least `count` live members (its processes start asynchronously). */
async function waitForMembers(pgid: number, count: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let members = liveMembers(pgid).length;
  while (members < count && Date.now() < deadline) {
    await sleep(20);
    members = liveMembers(pgid).length;
  }
  return members;
}

describe.runIf(process.platform === 'linux')('spawnSupervised', () => {
  it('reports the exit code and output of the command', async () => {
    const child = spawnSupervised('sh', ['-c', 'echo hello; echo oops >&2; exit 3']);
    const exit = await child.exited;
    expect(exit.code).toBe(3);
    expect(child.hasExited()).toBe(true);
    expect(child.output()).toContain('hello');
    expect(child.output()).toContain('oops');
    expect(await waitUntilGone(child.pid, 2_000)).toEqual([]);
  });

  it('stop() ends the whole process group and waits for it', async () => {
    const child = spawnSupervised('sleep', ['300']);
    expect(await waitForMembers(child.pid, 2)).toBeGreaterThanOrEqual(2);
    await child.stop(5_000);
    expect(child.hasExited()).toBe(true);
    expect(await waitUntilGone(child.pid, 2_000)).toEqual([]);
    await child.stop(5_000); // a second stop is a no-op
  });

  it('escalates to SIGKILL when the command ignores SIGTERM', async () => {
    const child = spawnSupervised('sh', ['-c', "trap '' TERM; sleep 300"]);
    await sleep(200);
    const started = Date.now();
    await child.stop(300);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await waitUntilGone(child.pid, 2_000)).toEqual([]);
  });

  it('takes the command down when the parent process is SIGKILLed', async () => {
    const source = fileURLToPath(new URL('./supervised-process.ts', import.meta.url));
    const script = `
      import { spawnSupervised } from ${JSON.stringify(source)};
      console.log(spawnSupervised('sleep', ['300']).pid);
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pid = await new Promise<number>((resolvePid, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolvePid(Number(chunk.toString().trim())));
      parent.once('exit', (code) => reject(new Error(`parent exited early (${String(code)})`)));
    });
    try {
      expect(await waitForMembers(pid, 2)).toBeGreaterThanOrEqual(2);
    } finally {
      parent.kill('SIGKILL');
    }
    expect(await waitUntilGone(pid, 5_000)).toEqual([]);
  });
});
