/**
 * Typechecks every ```ts code block of README.md, packages/*\/README.md and packages/*\/guides/*.md.
 *
 * Each block becomes its own module in a `.readme-check/` folder beside its README (so imports
 * resolve from that package's node_modules, and `@baton/*` through the `paths` of tsconfig.json),
 * and one TypeScript program checks them all with the repo's strict settings. Errors are printed
 * as `README path:line:column: message`, pointing into the README. A block opened with
 * ```ts nocheck is skipped.
 *
 * Usage: `tsx scripts/check-readme-code.ts [README paths...]` (default: every README).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHECK_DIR = '.readme-check';

interface Block {
  /** README path relative to the repo root. */
  readonly readme: string;
  /** 1-based README line of the block's first code line. */
  readonly firstLine: number;
  readonly code: string;
}

/** The ```ts / ```typescript blocks of a markdown text, without the ones marked `nocheck`. */
function extractBlocks(readme: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let open: { fence: string; check: boolean; firstLine: number; code: string[] } | undefined;
  for (const [index, line] of lines.entries()) {
    if (open === undefined) {
      const start = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)(.*)$/.exec(line);
      if (start === null) continue;
      const lang = start[3] ?? '';
      const info = start[4] ?? '';
      const isTs = lang === 'ts' || lang === 'typescript';
      open = {
        fence: start[2] ?? '```',
        check: isTs && !/\bnocheck\b/.test(info),
        firstLine: index + 2,
        code: [],
      };
    } else if (line.trim().startsWith(open.fence) && line.trim().replace(/[`~]/g, '') === '') {
      if (open.check)
        blocks.push({ readme, firstLine: open.firstLine, code: open.code.join('\n') });
      open = undefined;
    } else {
      open.code.push(line);
    }
  }
  return blocks;
}

function defaultReadmes(): string[] {
  const readmes = ['README.md'];
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    const path = join('packages', pkg, 'README.md');
    if (existsSync(join(root, path))) readmes.push(path);
    const guides = join('packages', pkg, 'guides');
    if (existsSync(join(root, guides)))
      for (const guide of readdirSync(join(root, guides)).sort())
        if (guide.endsWith('.md')) readmes.push(join(guides, guide));
  }
  return readmes;
}

/** Writes each block as a module; returns the map from module path to its block. */
function writeBlocks(readmes: readonly string[]): Map<string, Block> {
  const files = new Map<string, Block>();
  for (const readme of readmes) {
    const dir = join(root, dirname(readme), CHECK_DIR);
    rmSync(dir, { recursive: true, force: true });
    const blocks = extractBlocks(readme, readFileSync(join(root, readme), 'utf8'));
    if (blocks.length === 0) continue;
    mkdirSync(dir, { recursive: true });
    for (const block of blocks) {
      const file = join(dir, `readme-line-${block.firstLine}.ts`);
      writeFileSync(file, `${block.code}\n`);
      files.set(file, block);
    }
  }
  return files;
}

function createProgram(files: readonly string[]): ts.Program {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (config.error !== undefined) throw new Error(flatten(config.error.messageText));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, {}, configPath);
  return ts.createProgram({
    rootNames: [...files],
    // Every block is a module of its own, even one without imports.
    options: { ...parsed.options, noEmit: true, moduleDetection: ts.ModuleDetectionKind.Force },
  });
}

function flatten(message: string | ts.DiagnosticMessageChain): string {
  return ts.flattenDiagnosticMessageText(message, '\n');
}

function report(diagnostic: ts.Diagnostic, files: ReadonlyMap<string, Block>): string {
  const message = flatten(diagnostic.messageText);
  const file = diagnostic.file;
  if (file === undefined) return `error TS${diagnostic.code}: ${message}`;
  const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
  const block = files.get(resolve(file.fileName));
  const where =
    block === undefined
      ? `${relative(root, file.fileName)}:${line + 1}:${character + 1}`
      : `${block.readme}:${block.firstLine + line}:${character + 1}`;
  return `${where}: error TS${diagnostic.code}: ${message}`;
}

function main(): number {
  const args = process.argv.slice(2);
  const readmes =
    args.length > 0 ? args.map((path) => relative(root, resolve(path))) : defaultReadmes();
  const files = writeBlocks(readmes);
  const program = createProgram([...files.keys()]);
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...files.keys()].flatMap((file) => {
      const source = program.getSourceFile(file);
      return source === undefined
        ? []
        : [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    }),
  ];
  for (const diagnostic of diagnostics) console.error(report(diagnostic, files));
  const count = `${files.size} code blocks in ${readmes.length} READMEs`;
  if (diagnostics.length > 0) {
    console.error(`README code: ${diagnostics.length} errors in ${count}`);
    return 1;
  }
  console.log(`README code: ${count} typecheck`);
  return 0;
}

process.exitCode = main();
