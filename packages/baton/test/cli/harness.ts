/**
 * Runs the built `baton` CLI as a subprocess, the way a user does. Builds it first when
 * `dist/` is missing (`pnpm test` builds before the tests).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
export const bin = join(root, 'packages/baton/dist/cli/bin.js');
export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const actions = join(fixtures, 'actions.ts');

/** Builds the workspace once when the CLI has not been built. */
export function ensureBuilt(): void {
  if (existsSync(bin)) return;
  const built = spawnSync('pnpm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`pnpm build failed:\n${built.stdout}${built.stderr}`);
}

/** A fresh working directory (its `.baton/` is the default store) and a task log file. */
export function workspace(): { cwd: string; log: string; env: NodeJS.ProcessEnv } {
  const cwd = mkdtempSync(join(tmpdir(), 'baton-cli-'));
  const log = join(cwd, 'tasks.log');
  return { cwd, log, env: { ...process.env, BATON_TEST_LOG: log, NO_COLOR: '1', BATON_STORE: '' } };
}

/** Task ids in the log, in the order their executions started. */
export function executions(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}

/** Resolves once the task log has `line` (a task's action started, not only its event). */
export async function waitForLog(log: string, line: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!executions(log).includes(line)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${line} in ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `baton ...args` to completion. */
export function baton(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A `baton` process in the background, with its output so far. */
export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

export function startBaton(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const w of [...waiters])
      if (w.pattern.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? null : -1))),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 20_000) {
      if (pattern.test(out)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern} in:\n${out}\n${err}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then(() =>
          setTimeout(() => {
            clearTimeout(timer);
            reject(new Error(`baton exited before ${pattern}:\n${out}\n${err}`));
          }, 50),
        );
      });
    },
  };
}
