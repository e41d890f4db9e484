/** `baton runs`, `show` and `cancel` on the runs a user made. */
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

describe('baton runs and show', { timeout: 120_000 }, () => {
  it('list runs with status, progress and age, filter by status, and show each task', () => {
    const { cwd, env } = workspace();
    expect(
      baton(['run', join(fixtures, 'chain.yaml'), '-a', actions, '--run-id', 'good'], cwd, env)
        .status,
    ).toBe(0);
    expect(
      baton(['run', join(fixtures, 'fails.yaml'), '-a', actions, '--run-id', 'bad'], cwd, env)
        .status,
    ).toBe(1);

    const runs = baton(['runs'], cwd, env);
    expect(runs.status, runs.stderr).toBe(0);
    const lines = runs.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RUN ID +PIPELINE +STATUS +PROGRESS +AGE$/);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^good +chain +succeeded +4\/4 +\d+s ago$/),
        expect.stringMatching(/^bad +fails +failed +2\/2 +\d+s ago$/),
      ]),
    );
    const failed = baton(['runs', '--status', 'failed'], cwd, env);
    expect(failed.stdout).toContain('bad');
    expect(failed.stdout).not.toMatch(/^good/m);
    const json = baton(['runs', '--json'], cwd, env)
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ runId: 'good', status: 'succeeded', finished: 4, total: 4 }),
      ]),
    );

    const good = baton(['show', 'good'], cwd, env);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^run good +chain +succeeded$/m);
    expect(good.stdout).toMatch(/^second +succeeded +attempts 1 +finished \+\d+/m);
    expect(good.stdout).toContain('output: {"value":"two","model":"tiny-model"}');
    const bad = baton(['show', 'bad'], cwd, env);
    expect(bad.stdout).toMatch(/^boom +failed +attempts 1/m);
    expect(bad.stdout).toContain('error: execution_failed: boom broke on purpose');
    const shown = JSON.parse(baton(['show', 'bad', '--json'], cwd, env).stdout) as {
      run: { status: string };
      tasks: { node: string; status: string }[];
    };
    expect(shown.run.status).toBe('failed');
    expect(shown.tasks.map((t) => [t.node, t.status])).toEqual([
      ['ok', 'succeeded'],
      ['boom', 'failed'],
    ]);
  });

  it('an unknown run is an error (exit 1); an empty store lists nothing', () => {
    const { cwd, env } = workspace();
    expect(baton(['runs'], cwd, env).stdout).toMatch(/^no runs in /);
    const show = baton(['show', 'missing'], cwd, env);
    expect(show.status).toBe(1);
    expect(show.stderr).toMatch(/missing/);
    expect(baton(['cancel', 'missing'], cwd, env).status).toBe(1);
    expect(baton(['resume', 'missing'], cwd, env).status).toBe(1);
  });
});

describe('baton cancel', { timeout: 120_000 }, () => {
  it('stops a run another process is running; the run is recorded canceled and resumes later', async () => {
    const { cwd, env, log } = workspace();
    const running = startBaton(
      ['run', join(fixtures, 'slow.yaml'), '-a', actions, '--run-id', 'victim'],
      cwd,
      env,
    );
    await waitForLog(log, 'long');
    const cancel = baton(['cancel', 'victim'], cwd, env);
    expect(cancel.status, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain('run victim canceled; resume it with: baton resume victim');
    expect(await running.exited).toBe(130);
    expect(running.stderr()).toContain('canceled by baton cancel');
    expect(running.stdout()).toContain('■ canceled');
    expect(executions(log)).toContain('aborted'); // the running task saw its signal
    expect(baton(['show', 'victim'], cwd, env).stdout).toMatch(/^run victim +slow +canceled$/m);
    expect(baton(['cancel', 'victim'], cwd, env).stderr).toContain('nothing to cancel');

    const resumed = baton(['resume', 'victim'], cwd, { ...env, BATON_TEST_SLOW_MS: '10' });
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/resumed \(4 finished earlier\)/);
    const ran = executions(log).filter((l) => l !== 'aborted');
    expect(ran).toEqual(['quick', 'a', 'b', 'c', 'long', 'long', 'end']);
  });
});
