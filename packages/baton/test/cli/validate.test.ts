/** `baton validate` and argument handling: diagnostics as file:line:col, exit code by class. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { actions, baton, bin, ensureBuilt, fixtures, workspace } from './harness.js';

beforeAll(ensureBuilt, 300_000);

describe('baton validate', { timeout: 120_000 }, () => {
  it('a valid file: exit 0 and a line saying so', () => {
    const { cwd, env } = workspace();
    const r = baton(['validate', join(fixtures, 'chain.yaml'), '-a', actions], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('chain.yaml: ok (4 tasks)');
  });

  it('reports every diagnostic of a file at once as file:line:col, and exits with 2', () => {
    const { cwd, env } = workspace();
    const file = join(fixtures, 'invalid.yaml');
    const r = baton(['validate', file, '-a', actions], cwd, env);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain(
      `${file}:4:13: unknown action "test.missing"; registered: chat, generate_text, http, map, read_file, shell, template, test.work, write_file`,
    );
    expect(lines).toContain(`${file}:7:27: unknown dependency "nowhere"`);
    expect(lines.at(-1)).toBe(`${file}: 2 problems`);
  });

  it('a YAML syntax error is a diagnostic with its position', () => {
    const { cwd, env } = workspace();
    const file = join(fixtures, 'broken.yaml');
    const r = baton(['validate', file], cwd, env);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: `, 'm'),
    );
  });

  it('checks several files, reporting each, and fails when any is invalid', () => {
    const { cwd, env } = workspace();
    const good = join(fixtures, 'chain.yaml');
    const bad = join(fixtures, 'invalid.yaml');
    const r = baton(['validate', good, bad, '-a', actions], cwd, env);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('chain.yaml: ok');
    expect(r.stderr).toContain('invalid.yaml: 2 problems');
  });

  it('without the actions module, the actions a file uses are unknown', () => {
    const { cwd, env } = workspace();
    const r = baton(['validate', join(fixtures, 'chain.yaml')], cwd, env);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/chain\.yaml:\d+:\d+: unknown action "test\.work"/);
  });

  it('a file that cannot be read exits with 2', () => {
    const { cwd, env } = workspace();
    const r = baton(['validate', join(cwd, 'missing.yaml')], cwd, env);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot read pipeline file .*missing\.yaml/);
  });

  it('an actions module that exports no actions is refused', () => {
    const { cwd, env } = workspace();
    const mod = join(cwd, 'empty.mjs');
    writeFileSync(mod, 'export const nothing = 1;\n');
    const r = baton(['validate', join(fixtures, 'chain.yaml'), '-a', mod], cwd, env);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the module must export `actions`');
  });
});

describe('baton usage', { timeout: 120_000 }, () => {
  it('--help and --version exit with 0', () => {
    const { cwd, env } = workspace();
    const help = baton(['--help'], cwd, env);
    expect(help.status).toBe(0);
    for (const command of ['run', 'resume', 'runs', 'show', 'cancel', 'validate', 'graph'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(help.stdout).toContain('Exit codes: 0 ok, 1 run failed, 2 invalid file or usage, 130');
    expect(baton(['--version'], cwd, env).stdout.trim()).toBe('0.1.0');
    expect(baton(['run', '--help'], cwd, env).stdout).toContain('--max-workers <n>');
  });

  it('an unknown command, an unknown option or a missing argument exits with 2', () => {
    const { cwd, env } = workspace();
    const unknown = baton(['frobnicate'], cwd, env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const option = baton(['runs', '--colour'], cwd, env);
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("unknown option '--colour'");
    expect(baton(['run'], cwd, env).status).toBe(2);
    const status = baton(['runs', '--status', 'sleeping'], cwd, env);
    expect(status.status).toBe(2);
    expect(status.stderr).toContain('sleeping');
  });
});

/**
 * The modules `baton <args>` resolves, recorded by a resolve hook registered with `--import`
 * (what start-up time depends on; the numbers themselves are in bench/cli-startup.ts).
 */
function modulesLoaded(args: readonly string[]): { status: number | null; urls: string[] } {
  const { cwd, env } = workspace();
  const log = join(cwd, 'modules.log');
  const hooks = `import { appendFileSync } from 'node:fs';
    let log;
    export function initialize(data) { log = data.log; }
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      appendFileSync(log, resolved.url + '\\n');
      return resolved;
    }`;
  const register = `import { register } from 'node:module';
    register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)}, { data: { log: ${JSON.stringify(log)} } });`;
  const r = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(register)}`, bin, ...args],
    { cwd, env, encoding: 'utf8', timeout: 60_000 },
  );
  return { status: r.status, urls: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

/** What `--help` and `validate` must not load: the run machinery and every other command's. */
const HEAVY =
  /\/(rxjs|@opentelemetry|@temporalio|log-update|beautiful-mermaid|@langchain|devalue)\/|\/packages\/(graph|chain|memory|langchain|workflow-temporal)\/|\/packages\/core\/dist\/(index|authoring)\.js$/;

describe('baton start-up', { timeout: 120_000 }, () => {
  it('validate loads its one bundle (validator, yaml, zod), not the run machinery', () => {
    const { status, urls } = modulesLoaded(['validate', join(fixtures, 'invalid.yaml')]);
    expect(status).toBe(2);
    expect(urls.some((u) => u.endsWith('/baton/dist/cli/validate.bundle.js'))).toBe(true);
    // What the bundle holds is not loaded again as separate modules.
    expect(urls.filter((u) => /\/(zod|yaml|neverthrow)\/|\/pipeline\//.test(u))).toEqual([]);
    expect(urls.filter((u) => HEAVY.test(u))).toEqual([]);
  });

  it('validate with an actions module checks it against the real registries', () => {
    const { status, urls } = modulesLoaded([
      'validate',
      join(fixtures, 'chain.yaml'),
      '-a',
      actions,
    ]);
    expect(status).toBe(0);
    // The registries are imported from the built files at run time, not from the bundle.
    expect(urls.some((u) => u.endsWith('/baton/dist/action-registry.js'))).toBe(true);
  });

  it('--help loads commander and the program, nothing of any command', () => {
    const { status, urls } = modulesLoaded(['--help']);
    expect(status).toBe(0);
    const ours = urls.filter((u) => u.includes('/packages/'));
    expect(
      ours.every((u) => /\/baton\/(bin|dist\/cli)\/[a-z-]+\.js$|commands\/context\.js$/.test(u)),
      ours.join('\n'),
    ).toBe(true);
    expect(urls.filter((u) => HEAVY.test(u) || u.includes('/zod'))).toEqual([]);
  });
});
