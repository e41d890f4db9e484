/**
 * The live view as a person sees it: `baton run` under a pseudo-terminal (util-linux `script`),
 * its output replayed into a headless xterm to read the screen it leaves.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import xterm from '@xterm/headless';
import { beforeAll, describe, expect, it } from 'vitest';
import { actions, bin, ensureBuilt, fixtures, workspace } from './harness.js';

beforeAll(ensureBuilt, 300_000);

const COLS = 110;
const ROWS = 30;

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function withoutNoColor(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NO_COLOR: _ignored, ...rest } = env;
  return rest;
}

/** Runs `baton ...args` on a pty of COLS x ROWS; returns what it wrote and its exit code. */
function onTerminal(args: readonly string[]): { raw: string; status: number | null } {
  const { cwd, env } = workspace();
  const command = `stty cols ${COLS} rows ${ROWS}; ${[process.execPath, bin, ...args].map(quote).join(' ')}`;
  const r = spawnSync('script', ['-qfec', command, '/dev/null'], {
    cwd,
    // Without NO_COLOR: Node warns on stderr (mid-frame) when both it and FORCE_COLOR are set.
    env: { ...withoutNoColor(env), FORCE_COLOR: '1', TERM: 'xterm-256color' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { raw: r.stdout, status: r.status };
}

/** The screen the output leaves on a terminal, one string per row, trailing blanks trimmed. */
async function screen(raw: string): Promise<string[]> {
  const term = new xterm.Terminal({
    cols: COLS,
    rows: ROWS,
    allowProposedApi: true,
    scrollback: 500,
  });
  await new Promise<void>((resolve) => term.write(raw.replace(/\r?\n/g, '\r\n'), resolve));
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++)
    lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
  term.dispose();
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

describe.runIf(hasScript)('the live view on a terminal', { timeout: 120_000 }, () => {
  it('updates every task in place, shows retries and models, then the summary', async () => {
    const { raw, status } = onTerminal(['run', join(fixtures, 'flaky.yaml'), '-a', actions]);
    expect(status, raw).toBe(0);
    // What went by while it ran: elapsed times, a retry countdown, progress and an ETA.
    const plain = stripVTControlCharacters(raw);
    expect(plain).toMatch(/fetch +running \d+ms/);
    expect(plain).toMatch(/parse +retrying: attempt 1 failed, attempt 2 in \d/);
    expect(plain).toMatch(/parse +running [\d.]+m?s +attempt 2/);
    expect(plain).toMatch(/○ report +pending/);
    expect(plain).toMatch(/elapsed [\d.]+m?s · eta [\d.]+m?s/);
    // The cursor moved up to redraw (ESC [ n A): updates in place.
    expect(raw.split('\u001b[').some((part) => /^\d+A/.test(part))).toBe(true);

    const lines = await screen(raw);
    const taskLines = (task: string) => lines.filter((l) => new RegExp(`^. ${task} +`).test(l));
    // Each task is on the screen once, in its final state: its earlier states were overwritten.
    for (const task of ['fetch', 'parse', 'store', 'report']) {
      expect(taskLines(task), lines.join('\n')).toHaveLength(1);
      expect(taskLines(task)[0]).toMatch(new RegExp(`^✔ ${task} +done +[\\d.]+m?s`));
    }
    expect(taskLines('store')[0]).toContain('model tiny-model');
    expect(
      lines.filter((l) => l.startsWith('baton flaky')),
      lines.join('\n'),
    ).toHaveLength(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^█+ 4\/4 +4 done +0 running +0 failed +0 skipped/),
      ]),
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^✔ succeeded in [\d.]+m?s · 4 done, 0 failed, 0 skipped of 4$/),
      ]),
    );
    expect(lines).toContain('  report: {"value":"done"}');
    expect(lines.some((l) => l.startsWith('◐ '))).toBe(false); // no task left shown running
  });

  it('a failed run ends with the failure and how to resume', async () => {
    const { raw, status } = onTerminal(['run', join(fixtures, 'fails.yaml'), '-a', actions]);
    expect(status).toBe(1);
    const lines = await screen(raw);
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^✖ boom +failed: boom broke on purpose/)]),
    );
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^✖ failed after/)]));
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^resume: baton resume \S+/)]),
    );
  });
});
