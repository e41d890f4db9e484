/**
 * `baton run --temporal` and friends, run as a user runs them (the built CLI as a subprocess)
 * against the run's Temporal dev server: the same outputs as in-process, a `baton worker` in
 * another process, cancel by Ctrl-C and by `baton cancel`, re-attaching with `baton resume`, and
 * a server that is down.
 */
import { join } from 'node:path';
import { getFreePort } from '@baton/test-support';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  actions,
  baton,
  ensureBuilt,
  executions,
  fixtures,
  startBaton,
  workspace,
  type CliResult,
} from './cli/harness.js';

const server = inject('temporal');
const address = server?.address ?? '';
const chain = join(fixtures, 'chain.yaml');
const slow = join(fixtures, 'slow.yaml');

interface Line {
  readonly type: string;
  readonly step?: string;
  readonly status?: string;
  readonly output?: unknown;
  readonly store?: string;
}

function lines(r: CliResult | string): Line[] {
  const text = typeof r === 'string' ? r : r.stdout;
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

beforeAll(ensureBuilt, 300_000);

describe.runIf(server !== undefined)('baton on a Temporal dev server', { timeout: 180_000 }, () => {
  it('run --temporal --json gives the in-process outputs and events of the same file', () => {
    const local = workspace();
    const here = baton(['run', chain, '-a', actions, '--json'], local.cwd, local.env);
    expect(here.status, here.stderr).toBe(0);
    const { cwd, env, log } = workspace();
    const there = baton(
      ['run', chain, '-a', actions, '--json', '--temporal', address, '--run-id', 'cli-json'],
      cwd,
      env,
    );
    expect(there.status, there.stderr).toBe(0);
    const events = lines(there);
    expect(events[0]).toMatchObject({ type: 'run-info', store: expect.stringContaining(address) });
    const result = events.at(-1);
    expect(result).toMatchObject({ type: 'result', status: 'succeeded' });
    expect(result?.output).toEqual(lines(here).at(-1)?.output);
    const ends = (ls: Line[]) =>
      ls
        .filter((e) => e.type === 'step-end')
        .map((e) => e.step)
        .sort();
    expect(ends(events)).toEqual(ends(lines(here)));
    expect(events.some((e) => e.type === 'run-end')).toBe(true);
    expect(executions(log).sort()).toEqual(['first', 'last', 'second', 'third']);
    // The workflow is there to read after the CLI (and its worker) stopped.
    const show = baton(['show', 'cli-json', '--temporal', address], cwd, env);
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/run cli-json +chain +succeeded/);
    expect(show.stdout).toMatch(/last +succeeded\n +output: \{"value":"done"\}/);
  });

  it('a failed task fails the run with exit code 1, as in-process', () => {
    const { cwd, env } = workspace();
    const r = baton(
      ['run', join(fixtures, 'fails.yaml'), '-a', actions, '--temporal', address],
      cwd,
      env,
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/fail +boom: execution_failed: .*boom broke on purpose/);
    expect(r.stdout).toContain('✖ failed');
    expect(r.stdout).toMatch(/execution_failed: fails: node "boom" failed/);
  });

  it('baton worker serves runs started with --no-worker, and stops on SIGTERM', async () => {
    const { cwd, env, log } = workspace();
    const worker = startBaton(['worker', chain, '-a', actions, '--temporal', address], cwd, env);
    try {
      await worker.waitFor(/worker for pipeline chain on task queue baton-chain-\w+/, 60_000);
      const r = baton(
        ['run', chain, '-a', actions, '--json', '--no-worker', '--temporal', address],
        cwd,
        env,
      );
      expect(r.status, r.stderr).toBe(0);
      expect(lines(r).at(-1)).toMatchObject({
        status: 'succeeded',
        output: { last: { value: 'done' } },
      });
      // The tasks ran in the worker process (the run's own process has no worker).
      expect(executions(log).sort()).toEqual(['first', 'last', 'second', 'third']);
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
    expect(worker.stdout()).toContain('worker stopped');
  });

  it('Ctrl-C cancels the workflow: running tasks see their signal, exit 130', async () => {
    const { cwd, env, log } = workspace();
    const run = startBaton(
      ['run', slow, '-a', actions, '--temporal', address, '--run-id', 'cli-ctrl-c'],
      cwd,
      env,
    );
    await run.waitFor(/start +long/, 60_000);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stdout()).toContain('■ canceled');
    expect(executions(log)).toContain('aborted');
    expect(executions(log)).not.toContain('end');
    const show = baton(['show', 'cli-ctrl-c', '--temporal', address], cwd, env);
    expect(show.stdout).toMatch(/run cli-ctrl-c +slow +canceled/);
  });

  it('baton cancel --temporal ends a run another process follows', async () => {
    const { cwd, env } = workspace();
    const run = startBaton(
      ['run', slow, '-a', actions, '--temporal', address, '--run-id', 'cli-cancel'],
      cwd,
      env,
    );
    await run.waitFor(/start +long/, 60_000);
    const cancel = baton(['cancel', 'cli-cancel', '--temporal', address], cwd, env);
    expect(cancel.status, cancel.stderr).toBe(0);
    expect(await run.exited).toBe(130);
    const again = baton(['cancel', 'cli-cancel', '--temporal', address], cwd, env);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already canceled');
  });

  it('baton resume --temporal re-attaches to a run whose CLI died, with a worker of its own', async () => {
    const { cwd, env, log } = workspace();
    // Nothing serves the run: the CLI that started it is killed before any task ran.
    const run = startBaton(
      ['run', chain, '-a', actions, '--temporal', address, '--no-worker', '--run-id', 'cli-resume'],
      cwd,
      env,
    );
    await run.waitFor(/run cli-resume chain: 4 tasks/, 60_000);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(executions(log)).toEqual([]);
    const r = baton(['resume', 'cli-resume', '--temporal', address], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('✔ succeeded');
    expect(r.stdout).toContain('last: {"value":"done"}');
    expect(executions(log).sort()).toEqual(['first', 'last', 'second', 'third']);
    const done = baton(['resume', 'cli-resume', '--temporal', address], cwd, env);
    expect(done.status).toBe(0);
    expect(done.stdout).toContain('already succeeded');
    const missing = baton(['resume', 'no-such-run', '--temporal', address], cwd, env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no workflow no-such-run');
  });

  it('a server that is down is a clear error within seconds (exit 1), not a hang', async () => {
    const { cwd, env } = workspace();
    const down = `127.0.0.1:${await getFreePort('127.0.0.1')}`;
    const started = Date.now();
    const r = baton(['run', chain, '-a', actions, '--temporal', down], cwd, env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot reach Temporal at ${down}`);
    expect(Date.now() - started).toBeLessThan(30_000);
    const usage = baton(['run', chain, '-a', actions, '--temporal', 'no-port'], cwd, env);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('expected the server');
  });
});
