/**
 * Runs every `bench/*.bench.ts` one after another, each in its own process (so one benchmark's
 * heap and JIT state do not colour the next). Pass names to run a subset: `pnpm bench sequence`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, file)], {
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_ENV: 'production',
      // Resolve @baton/* to the built dist (bench/tsconfig.json has no `paths`).
      TSX_TSCONFIG_PATH: join(here, 'tsconfig.json'),
    },
  });
  if (result.status !== 0) failed += 1;
}
if (failed > 0) {
  console.error(`${failed} benchmark file(s) failed`);
  process.exit(1);
}
