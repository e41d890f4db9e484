import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the repo, so the fixture blocks are ES modules that resolve `@baton/*` like real READMEs.
const fixtureDir = join(root, '.readme-check', 'fixture');
const run = promisify(execFile);

async function check(readme: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const path = join(fixtureDir, 'README.md');
  mkdirSync(fixtureDir, { recursive: true });
  writeFileSync(path, readme);
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  try {
    const { stdout, stderr } = await run(tsx, ['scripts/check-readme-code.ts', path], {
      cwd: root,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('check-readme-code', () => {
  afterAll(() => rmSync(fixtureDir, { recursive: true, force: true }));

  // One run (one TypeScript program) covers every case: it takes seconds.
  it('reports type errors at their README line, skipping `ts nocheck` and other languages', async () => {
    const readme = [
      '# Fixture', // 1
      '', // 2
      '```ts', // 3
      "import { runnable } from '@baton/core';", // 4
      '', // 5
      "const upper = runnable('upper', (text: string) => text.toUpperCase());", // 6
      'const result = await upper.invoke(42);', // 7
      'result.match(console.log, console.error);', // 8
      '```', // 9
      '', // 10
      '```ts', // 11
      "import { runnable } from '@baton/core';", // 12
      "const same = await runnable('id', (x: number) => x).invoke(1);", // 13
      'if (same.isErr()) console.error(same.error.code);', // 14
      '```', // 15
      '', // 16
      '```ts nocheck', // 17
      'resolveOptions(defaults, options, schema);', // 18
      '```', // 19
      '', // 20
      '```sh', // 21
      'pnpm test', // 22
      '```', // 23
      '',
    ].join('\n');
    const { code, stderr } = await check(readme);
    expect(code).toBe(1);
    const errors = stderr.split('\n').filter((line) => line.includes('error TS'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\.readme-check\/fixture\/README\.md:7:\d+: error TS2345:/);
    expect(stderr).toContain('1 errors in 2 code blocks in 1 READMEs');
  }, 120_000);
});
