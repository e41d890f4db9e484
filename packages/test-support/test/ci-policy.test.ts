import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getFreePort } from '@baton/test-support';

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** Runs the fixture suite in a child vitest with REDIS_URL pointing at a closed port. */
async function runFixture(ci: boolean): Promise<Run> {
  const config = fileURLToPath(new URL('./fixtures/vitest.config.ts', import.meta.url));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: `redis://127.0.0.1:${await getFreePort()}`,
    CI: ci ? 'true' : '',
    NO_COLOR: '1',
  };
  delete env.VITEST;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  const vitest = join(
    dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
    'vitest.mjs',
  );
  const child = spawn(process.execPath, [vitest, 'run', '--config', config], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolveCode) => child.once('exit', resolveCode));
  return { code, output };
}

// The rule that matters most: a missing server under CI=true must make the run fail.
describe('the CI=true rule, end to end', () => {
  it(
    'fails the vitest run when the server is missing under CI=true',
    { timeout: 60_000 },
    async () => {
      const run = await runFixture(true);
      expect(run.code, run.output).not.toBe(0);
      expect(run.output).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is required under CI=true/);
    },
  );

  it(
    'skips the suite, and passes, when the server is missing locally',
    { timeout: 60_000 },
    async () => {
      const run = await runFixture(false);
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain('skipping tests that need Redis at redis://');
      expect(run.output).toMatch(/1 skipped/);
    },
  );
});
