import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Suites that need a Temporal server are named `*.temporal.test.ts`. They run in their own Vitest
 * project, whose globalSetup starts ONE `temporal server start-dev` for the whole run (and only
 * when such a suite is part of the run: Vitest runs a project's globalSetup only then).
 */
const temporalTests = ['packages/*/test/**/*.temporal.test.ts'];

const src = (pkg: string, entry = 'index'): string =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${entry}.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, so `vitest` works without a build.
    alias: [
      { find: /^@baton\/core\/authoring$/, replacement: src('core', 'authoring') },
      { find: /^@baton\/core\/errors$/, replacement: src('core', 'errors-entry') },
      { find: /^@baton\/core\/errors$/, replacement: src('core', 'errors-entry') },
      { find: /^@baton\/core$/, replacement: src('core') },
      { find: /^@baton\/chain$/, replacement: src('chain') },
      { find: /^@baton\/graph\/scheduling$/, replacement: src('graph', 'scheduling/index') },
      { find: /^@baton\/graph$/, replacement: src('graph') },
      { find: /^@baton\/memory\/authoring$/, replacement: src('memory', 'authoring') },
      { find: /^@baton\/memory\/file-store$/, replacement: src('memory', 'file-store-entry') },
      { find: /^@baton\/memory$/, replacement: src('memory') },
      { find: /^@baton\/langchain$/, replacement: src('langchain') },
      { find: /^@baton\/workflow-temporal$/, replacement: src('workflow-temporal') },
      {
        find: /^@baton\/workflow-temporal\/(client|worker|workflow)$/,
        replacement: fileURLToPath(
          new URL('./packages/workflow-temporal/src/$1/index.ts', import.meta.url),
        ),
      },
      { find: /^@baton\/test-support$/, replacement: src('test-support') },
      { find: /^baton$/, replacement: src('baton') },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'examples/*.test.ts',
            'scripts/*.test.ts',
          ],
          exclude: [...configDefaults.exclude, ...temporalTests],
        },
      },
      {
        extends: true,
        test: {
          name: 'temporal',
          include: temporalTests,
          globalSetup: ['./packages/test-support/src/temporal-global-setup.ts'],
          typecheck: { enabled: false },
        },
      },
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
