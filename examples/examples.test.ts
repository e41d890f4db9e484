/** The examples are documentation users copy: each must run to completion and print its result. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function runExample(file: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', `examples/${file}`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('examples', () => {
  it('demo.ts runs the research graph live and prints every branch result', () => {
    const { status, output } = runExample('demo.ts');
    expect(status, output).toBe(0);
    expect(output).toContain('run-end    research');
    expect(output).toMatch(/- history: \d+ sources/);
    expect(output).toMatch(/- risks: \d+ sources/);
  });

  it('chain-memory.ts remembers earlier turns across invocations', () => {
    const { status, output } = runExample('chain-memory.ts');
    expect(status, output).toBe(0);
    expect(output).toContain('You are Ada; I remember 2 earlier turn(s).');
    expect(output).toContain('Human: Still there?');
  });

  it('custom-chain-provider.ts runs a provider built only on public exports', () => {
    const { status, output } = runExample('custom-chain-provider.ts');
    expect(status, output).toBe(0);
    expect(output).toContain('answer: Lisbon: 21 °C, pleasant');
    expect(output).toMatch(/lookup attempt 1: execution_failed/);
    expect(output).toMatch(/lookup attempt 2: ok/);
    expect(output).toContain('health: healthy');
  });

  it('custom-chain-provider.ts imports only @baton/* entry points, never internals', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('./custom-chain-provider.ts', import.meta.url), 'utf8');
    const specifiers = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(specifiers.filter((s) => s?.startsWith('@baton/')).sort()).toEqual([
      '@baton/chain',
      '@baton/core',
      '@baton/core/authoring',
    ]);
    expect(specifiers.every((s) => s?.startsWith('@baton/') || s === 'neverthrow')).toBe(true);
  });
});
