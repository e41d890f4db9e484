/**
 * Bundles what `baton validate` loads into one file, `packages/baton/dist/cli/validate.bundle.js`
 * (run by `pnpm build` after `tsc -b`). Node then reads and compiles one module instead of ~200
 * small ones (zod, yaml, neverthrow, the pipeline checks), which is most of the command's
 * start-up. See docs/baton.md, "CLI start-up (measured)".
 *
 * Only the static import graph is bundled. Dynamic imports (the Orchestrator's registries that
 * `--actions` modules need, tsx, the modules themselves) stay imports of the built files at run
 * time, so an actions module and the registries it is checked against share the one real
 * `@baton/core`, zod and neverthrow, as without the bundle. The bundled copies of the error class
 * and zod meet foreign values only through `code`, the `Symbol.for` brand and methods
 * (`safeParse`, `isErr`), never `instanceof`.
 */
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const cliDir = fileURLToPath(new URL('../packages/baton/dist/cli/', import.meta.url));
const outfile = resolve(cliDir, 'validate.bundle.js');

/** Keeps every dynamic `import()` out of the bundle, its path made relative to the bundle. */
const dynamicImportsStayExternal: Plugin = {
  name: 'dynamic-imports-stay-external',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      if (!args.path.startsWith('.')) return { path: args.path, external: true };
      const target = resolve(args.resolveDir, args.path);
      let path = relative(dirname(outfile), target);
      if (!path.startsWith('.')) path = `./${path}`;
      return { path, external: true };
    });
  },
};

const result = await build({
  entryPoints: [resolve(cliDir, 'commands/validate.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [dynamicImportsStayExternal],
  // yaml is CommonJS: give its `require` of Node built-ins a real `require` in the ES module.
  banner: {
    js: "import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

const inputs = Object.keys(result.metafile.inputs).length;
const bytes = result.metafile.outputs[relative(process.cwd(), outfile)]?.bytes ?? 0;
console.log(
  `bundled ${inputs} modules (before tree-shaking) into ${relative(process.cwd(), outfile)} (${(bytes / 1024).toFixed(0)} KiB)`,
);
