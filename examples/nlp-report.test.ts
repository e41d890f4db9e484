/**
 * The NLP report demo runs through the built CLI, offline, as `pnpm demo` runs it, and its report
 * says what the model found in a known document.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/baton/dist/cli/bin.js');

beforeAll(() => {
  if (existsSync(bin)) return;
  const built = spawnSync('pnpm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`pnpm build failed:\n${built.stdout}${built.stderr}`);
}, 300_000);

function baton(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('examples/nlp-report', { timeout: 180_000 }, () => {
  it('analyses the twelve documents offline, skips the summaries without a key, writes the report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlp-report-'));
    const out = join(dir, 'report.md');
    const env: NodeJS.ProcessEnv = { ...process.env, BATON_STORE: join(dir, '.baton') };
    delete env['OPENAI_API_KEY'];
    const actions = ['--actions', 'examples/nlp-report/actions.ts'];
    const r = baton(
      ['run', 'examples/nlp-report/pipeline.yaml', ...actions, '--input', `out=${out}`],
      env,
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain('OPENAI_API_KEY is not set: the summary tasks will be skipped');
    expect(r.stdout).toMatch(/done +gettysburg in \d+ms \(model wink-eng-lite-web-model\)/);
    expect(r.stdout.match(/skip +summary_\w+: when corpus\.llm is false/g)).toHaveLength(12);
    expect(r.stdout).toContain('✔ succeeded');
    expect(r.stdout).toContain('14 done, 0 failed, 12 skipped of 26');

    const report = readFileSync(out, 'utf8');
    expect(report).toMatch(/^# Twelve public-domain texts, read by a machine/);
    expect(report.match(/^## /gm)).toHaveLength(12);
    const gettysburg = report.slice(report.indexOf('## The Gettysburg Address'));
    const entities = /\*\*Entities:\*\* (.*)/.exec(gettysburg)?.[1] ?? '';
    expect(entities).toContain('Abraham Lincoln (PROPER_NOUN)');
    expect(entities).toContain('Pennsylvania (PROPER_NOUN)');
    expect(entities).toContain('November 19, 1863 (DATE)');
    expect(entities).toContain('seven years ago (DATE)');
    expect(gettysburg).toMatch(/\*\*Keywords:\*\* nation \(5\), dedicated \(4\)/);
    expect(gettysburg).toContain('**Summary:** skipped: set OPENAI_API_KEY to add one');
    const darwin = report.slice(report.indexOf('## On the Origin of Species'));
    expect(/\*\*Entities:\*\* (.*)/.exec(darwin)?.[1]).toContain('Charles Darwin (PROPER_NOUN)');
  });

  it('draws the pipeline as SVG for the report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlp-report-'));
    const svg = join(dir, 'pipeline.svg');
    const r = baton(
      [
        'graph',
        'examples/nlp-report/pipeline.yaml',
        '--actions',
        'examples/nlp-report/actions.ts',
        '-f',
        'svg',
        '-o',
        svg,
      ],
      { ...process.env, OPENAI_API_KEY: '' },
    );
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg[\s>]/);
    for (const task of ['corpus', 'gettysburg', 'summary_gettysburg', 'report'])
      expect(text).toContain(`data-label="${task}"`);
  });
});
