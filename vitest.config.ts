import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, entry = 'index'): string =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${entry}.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, so `vitest` works without a build.
    alias: [
      { find: /^@baton\/core\/authoring$/, replacement: src('core', 'authoring') },
      { find: /^@baton\/core$/, replacement: src('core') },
      { find: /^@baton\/chain$/, replacement: src('chain') },
      { find: /^@baton\/graph$/, replacement: src('graph') },
      { find: /^@baton\/memory$/, replacement: src('memory') },
      { find: /^@baton\/langchain$/, replacement: src('langchain') },
      { find: /^@baton\/workflow-temporal$/, replacement: src('workflow-temporal') },
      { find: /^@baton\/test-support$/, replacement: src('test-support') },
      { find: /^baton$/, replacement: src('baton') },
    ],
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*.test.ts',
      'scripts/*.test.ts',
    ],
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    // The JSON report lets .ci/run print a plain `N passed, N failed` closing line.
    reporters: ['default', ['json', { outputFile: '.vitest/report.json' }]],
    testTimeout: 20_000,
    hookTimeout: 90_000,
  },
});
