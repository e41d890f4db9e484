/**
 * Durability through the CLI: a `baton run` killed with SIGKILL, or interrupted with Ctrl-C,
 * is finished by `baton resume` without running a finished task again.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actions,
  baton,
  ensureBuilt,
  executions,
  fixtures,
  startBaton,
  waitForLog,
  workspace,
} from './harness.js';

beforeAll(ensureBuilt, 300_000);

const slow = join(fixtures, 'slow.yaml');

describe('baton run, killed, then resumed', { timeout: 120_000 }, () => {
  it('SIGKILL during a run: resume finishes it and no finished task runs again', async () => {
    const { cwd, env, log } = workspace();
    const running = startBaton(['run', slow, '-a', actions, '--run-id', 'crash'], cwd, env);
    await waitForLog(log, 'long');
    running.child.kill('SIGKILL');
    await running.exited;
    expect(executions(log)).toEqual(['quick', 'a', 'b', 'c', 'long']);
    // The record still says running: nobody could write otherwise.
    expect(baton(['runs'], cwd, env).stdout).toMatch(/^crash +slow +running +4\/6/m);

    const resumed = baton(['resume', 'crash'], cwd, { ...env, BATON_TEST_SLOW_MS: '10' });
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('✔ succeeded');
    expect(resumed.stdout).toContain('end: {"value":"e"}');
    // quick, a, b and c ran once; only the task killed mid-way and the one after it ran again.
    expect(executions(log)).toEqual(['quick', 'a', 'b', 'c', 'long', 'long', 'end']);
    expect(baton(['show', 'crash'], cwd, env).stdout).toMatch(/^run crash +slow +succeeded$/m);
    expect(baton(['resume', 'crash'], cwd, env).stdout).toContain(
      'already succeeded; nothing to resume',
    );
  });

  it('Ctrl-C cancels cleanly: tasks see their signal, exit 130, the run is canceled and resumable', async () => {
    const { cwd, env, log } = workspace();
    const running = startBaton(['run', slow, '-a', actions, '--run-id', 'ctrl-c'], cwd, env);
    await waitForLog(log, 'long');
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(130);
    expect(running.stderr()).toContain(
      'canceling: running tasks are told to stop (Ctrl-C again to exit at once)',
    );
    expect(executions(log)).toContain('aborted');
    expect(baton(['show', 'ctrl-c'], cwd, env).stdout).toMatch(/^run ctrl-c +slow +canceled$/m);
    const resumed = baton(['resume', 'ctrl-c'], cwd, { ...env, BATON_TEST_SLOW_MS: '10' });
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    expect(executions(log).filter((l) => l !== 'aborted')).toEqual([
      'quick',
      'a',
      'b',
      'c',
      'long',
      'long',
      'end',
    ]);
  });

  it('a second Ctrl-C exits at once with 130', async () => {
    const { cwd, env } = workspace();
    const running = startBaton(['run', slow, '-a', actions], cwd, env);
    await running.waitFor(/start +a/);
    running.child.kill('SIGINT');
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(130);
  });
});
