/** `baton run` as a user runs it, not on a terminal: plain lines, NDJSON, exit codes. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { actions, baton, ensureBuilt, executions, fixtures, workspace } from './harness.js';

beforeAll(ensureBuilt, 300_000);

const chain = join(fixtures, 'chain.yaml');

describe('baton run (not a terminal)', { timeout: 120_000 }, () => {
  it('prints one plain line per event, no control codes, then results and where the run is stored', () => {
    const { cwd, env, log } = workspace();
    const r = baton(['run', chain, '--actions', actions], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.includes('\u001b')).toBe(false); // no ANSI codes at all
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^run \S+ chain: 4 tasks$/);
    for (const task of ['first', 'second', 'third', 'last']) {
      expect(lines.some((l) => new RegExp(`start +${task}\\b`).test(l))).toBe(true);
      expect(lines.some((l) => new RegExp(`done +${task} in \\d+`).test(l))).toBe(true);
    }
    expect(r.stdout).toMatch(/done +second in \d+ms \(model tiny-model\)/);
    expect(r.stdout).toContain('✔ succeeded');
    expect(r.stdout).toContain('last: {"value":"done"}'); // the pipeline's outputs: its sinks
    expect(r.stdout).toContain(`stored in ${join(cwd, '.baton')}`);
    expect(executions(log).sort()).toEqual(['first', 'last', 'second', 'third']);
  });

  it('--json writes NDJSON events on stdout and nothing else', () => {
    const { cwd, env } = workspace();
    const r = baton(['run', chain, '--actions', actions, '--json'], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step?: string; status?: string });
    expect(events[0]?.type).toBe('run-info');
    expect(events.at(-1)).toMatchObject({
      type: 'result',
      status: 'succeeded',
      output: { last: { value: 'done' } },
    });
    const ends = events.filter((e) => e.type === 'step-end').map((e) => e.step);
    // Every node of the compiled graph, the compiler's `$input` and `$outputs` included.
    expect(ends.sort()).toEqual(['$input', '$outputs', 'first', 'last', 'second', 'third']);
    expect(events.some((e) => e.type === 'run-end')).toBe(true);
  });

  it('a failed task fails the run with exit code 1 and says how to resume', () => {
    const { cwd, env } = workspace();
    const r = baton(['run', join(fixtures, 'fails.yaml'), '--actions', actions], cwd, env);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/fail +boom: execution_failed: .*boom broke on purpose/);
    expect(r.stdout).toContain('✖ failed');
    expect(r.stdout).toMatch(/resume: baton resume \S+/);
  });

  it('--json reports a failure in the result line with its error code', () => {
    const { cwd, env } = workspace();
    const r = baton(
      ['run', join(fixtures, 'fails.yaml'), '--actions', actions, '--json'],
      cwd,
      env,
    );
    expect(r.status).toBe(1);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<
      string,
      unknown
    >;
    expect(last).toMatchObject({
      type: 'result',
      status: 'failed',
      error: { code: 'execution_failed' },
    });
  });

  it('takes --run-id, and refuses to start a second run with the same id', () => {
    const { cwd, env } = workspace();
    expect(baton(['run', chain, '-a', actions, '--run-id', 'fixed-id'], cwd, env).status).toBe(0);
    expect(baton(['show', 'fixed-id'], cwd, env).stdout).toContain('run fixed-id');
    const again = baton(['run', chain, '-a', actions, '--run-id', 'fixed-id'], cwd, env);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/fixed-id/);
  });

  it('usage errors exit with 2 and say what is wrong', () => {
    const { cwd, env } = workspace();
    const workers = baton(['run', chain, '-a', actions, '--max-workers', 'zero'], cwd, env);
    expect(workers.status).toBe(2);
    expect(workers.stderr).toContain('--max-workers zero: expected a whole number of at least 1');
    const input = baton(['run', chain, '-a', actions, '--input', 'novalue'], cwd, env);
    expect(input.status).toBe(2);
    expect(input.stderr).toContain('--input novalue: expected key=value');
    writeFileSync(join(cwd, 'inputs.json'), '[1, 2]');
    const file = baton(
      ['run', chain, '-a', actions, '--input-file', join(cwd, 'inputs.json')],
      cwd,
      env,
    );
    expect(file.status).toBe(2);
    expect(file.stderr).toContain('expected an object of inputs by name');
    const missing = baton(['run', join(cwd, 'nope.yaml')], cwd, env);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.yaml/);
    const mod = baton(['run', chain, '-a', join(cwd, 'no-such-module.mjs')], cwd, env);
    expect(mod.status).toBe(2);
    expect(mod.stderr).toMatch(/--actions .*no-such-module\.mjs: cannot import it/);
    const store = baton(['run', chain, '-a', actions, '--store', 'ftp://somewhere'], cwd, env);
    expect(store.status).toBe(2);
    expect(store.stderr).toContain('unknown scheme');
  });
});
