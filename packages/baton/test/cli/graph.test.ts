/** `baton graph`: Mermaid, ASCII and SVG drawn locally; `--run` colours task states. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { beforeAll, describe, expect, it } from 'vitest';
import { actions, baton, ensureBuilt, fixtures, workspace } from './harness.js';

beforeAll(ensureBuilt, 300_000);

const chain = join(fixtures, 'chain.yaml');

/** A strict XML parse (saxes fails on any well-formedness error); throws with the first one. */
function parsesAsXml(text: string): boolean {
  const parser = new SaxesParser();
  parser.on('error', (error) => {
    throw error;
  });
  parser.write(text).close();
  return true;
}

describe('baton graph', { timeout: 120_000 }, () => {
  it('mermaid: a flowchart of the tasks and their dependencies, without compiler nodes', () => {
    const { cwd, env } = workspace();
    const r = baton(['graph', chain, '-a', actions, '--format', 'mermaid'], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(lines).toEqual(
      expect.arrayContaining(['  n0["first"]', '  n1["second"]', '  n2["third"]', '  n3["last"]']),
    );
    expect(lines).toEqual(
      expect.arrayContaining(['  n0 --> n1', '  n0 --> n2', '  n1 --> n3', '  n2 --> n3']),
    );
    expect(r.stdout).not.toContain('$input');
  });

  it('ascii (the default): box drawing with every task name', () => {
    const { cwd, env } = workspace();
    const r = baton(['graph', chain, '-a', actions], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    for (const task of ['first', 'second', 'third', 'last'])
      expect(r.stdout).toMatch(new RegExp(`│ +${task} +│`));
    expect(r.stdout).toContain('▼');
    expect(r.stdout.includes('\u001b')).toBe(false); // not a terminal: no colour codes
  });

  it('svg: a well-formed XML document with a node per task', () => {
    const { cwd, env } = workspace();
    const r = baton(['graph', chain, '-a', actions, '--format', 'svg'], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    expect(parsesAsXml(r.stdout)).toBe(true);
    expect(r.stdout).toMatch(/^<svg[\s>]/);
    for (const task of ['first', 'second', 'third', 'last'])
      expect(r.stdout).toContain(`data-label="${task}"`);
  });

  it('--run colours each task with its state in that run; --output writes a file', () => {
    const { cwd, env } = workspace();
    const run = baton(
      ['run', join(fixtures, 'fails.yaml'), '-a', actions, '--run-id', 'r1'],
      cwd,
      env,
    );
    expect(run.status).toBe(1);
    const mermaid = baton(
      ['graph', join(fixtures, 'fails.yaml'), '-a', actions, '-f', 'mermaid', '--run', 'r1'],
      cwd,
      env,
    );
    expect(mermaid.status, mermaid.stderr).toBe(0);
    expect(mermaid.stdout).toContain('n0["ok ✔"]');
    expect(mermaid.stdout).toContain('n1["boom ✖"]');
    expect(mermaid.stdout).toContain('class n0 done');
    expect(mermaid.stdout).toContain('class n1 failed');
    const out = join(cwd, 'run.svg');
    const svg = baton(
      ['graph', join(fixtures, 'fails.yaml'), '-a', actions, '-f', 'svg', '--run', 'r1', '-o', out],
      cwd,
      env,
    );
    expect(svg.status, svg.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(parsesAsXml(text)).toBe(true);
    expect(text).toContain('#d3f9d8'); // the fill of a task done
    expect(text).toContain('#ffe3e3'); // the fill of a task failed
  });

  it('an unknown format or run is an error that says so', () => {
    const { cwd, env } = workspace();
    const format = baton(['graph', chain, '-a', actions, '-f', 'png'], cwd, env);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain("argument 'png' is invalid");
    const run = baton(['graph', chain, '-a', actions, '--run', 'nope'], cwd, env);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/nope/);
  });
});
