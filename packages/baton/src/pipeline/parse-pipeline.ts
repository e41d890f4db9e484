import { OrchestrationError, showError } from '@baton/core/errors';
import { err, ok, type Result } from 'neverthrow';
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
} from 'yaml';
import { diagnosticsError } from './pipeline-diagnostics.js';
import type { PipelineDiagnostic, PipelineDiagnosticCode } from './pipeline-types.js';

/** A key or index on the way from the document to a value. */
export type PipelinePath = readonly (string | number)[];

/** A 1-based position in the file. */
export interface PipelinePosition {
  readonly line: number;
  readonly col: number;
}

/** Options of `parsePipeline`. */
export interface ParsePipelineOptions {
  /** The name diagnostics print (a path, or `<stdin>`). @default '<pipeline>' */
  readonly file?: string;
}

/** A parsed pipeline document: plain data, and where each value came from. */
export interface ParsedPipeline {
  readonly file: string;
  /** The document as plain JSON-like data (not yet validated). */
  readonly data: unknown;
  /**
   * Problems the parser noticed that do not stop it: an unquoted `{name}`, which YAML reads as a
   * mapping rather than a template. `validatePipeline` reports them with the rest.
   */
  readonly diagnostics: readonly PipelineDiagnostic[];
  /**
   * Where the value at `path` starts (its key with `key: true`), `offset` characters into it for a
   * one-line string written without escapes; the nearest existing parent when `path` is absent.
   */
  locate(path: PipelinePath, options?: { key?: boolean; offset?: number }): PipelinePosition;
}

/** `tasks[2].parameters.prompt` */
export function showPath(path: PipelinePath): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

/** A diagnostic at `path` in `parsed`. */
export function diagnosticAt(
  parsed: ParsedPipeline,
  path: PipelinePath,
  code: PipelineDiagnosticCode,
  message: string,
  where: { key?: boolean; offset?: number } = {},
): PipelineDiagnostic {
  const { line, col } = parsed.locate(path, where);
  return { file: parsed.file, line, col, path: showPath(path), message, code };
}

function find(doc: Document, path: PipelinePath, key: boolean): Node | undefined {
  let node: Node | null = doc.contents;
  let found: Node | undefined = node ?? undefined;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (pair === undefined) return found;
      if (last && key) return (pair.key as Node | null) ?? found;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment] as Node | null;
    } else return found;
    if (node === null || node === undefined) return found;
    found = node;
  }
  return found;
}

/** How far into the source text `offset` characters into a string value are, when knowable. */
function shift(node: Node, text: string, offset: number): number {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return 0;
  const source = text.slice(node.range[0], node.range[1]);
  if (node.type === 'PLAIN' && source === node.value) return offset;
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  return quoted && source.slice(1, -1) === node.value ? offset + 1 : 0;
}

/** The keys and indexes from the document to the last of `chain` (a node and its ancestors). */
function pathOf(chain: readonly unknown[]): PipelinePath {
  const path: (string | number)[] = [];
  chain.forEach((item, i) => {
    const next = chain[i + 1];
    if (isPair(item) && isScalar(item.key)) path.push(String(item.key.value));
    else if (isSeq(item) && next !== undefined) path.push(item.items.indexOf(next));
  });
  return path;
}

const BARE_REFERENCE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Offsets of flow mappings written `{name}`: YAML's reading of an unquoted template. */
function unquotedTemplates(
  doc: Document,
  text: string,
): { offset: number; source: string; path: PipelinePath }[] {
  const found: { offset: number; source: string; path: PipelinePath }[] = [];
  visit(doc, {
    Map(_, node, ancestors) {
      const [pair] = node.items;
      if (!node.flow || node.items.length !== 1 || !node.range || pair === undefined) return;
      const source = text.slice(node.range[0], node.range[1]).trim();
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (
        pair.value === null &&
        typeof key === 'string' &&
        BARE_REFERENCE.test(key) &&
        !source.includes(':')
      )
        found.push({ offset: node.range[0], source, path: pathOf([...ancestors, node]) });
    },
  });
  return found;
}

/**
 * Parses a pipeline file's text, YAML or JSON (JSON is YAML). Fails with `invalid_config`
 * carrying every syntax error as a diagnostic (`pipelineDiagnostics(error)`), duplicate keys
 * included. Validation is `validatePipeline`'s job.
 *
 * @example
 * const parsed = parsePipeline(text, { file: 'pipeline.yaml' });
 */
export function parsePipeline(
  text: string,
  options: ParsePipelineOptions = {},
): Result<ParsedPipeline, OrchestrationError> {
  const file = options.file ?? '<pipeline>';
  if (typeof text !== 'string')
    return err(
      new OrchestrationError(
        'invalid_input',
        `parsePipeline: expected the file's text as a string`,
        {
          op: 'parsePipeline',
        },
      ),
    );
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number): PipelinePosition => {
    const p = lineCounter.linePos(offset);
    return { line: Math.max(p.line, 1), col: Math.max(p.col, 1) };
  };
  const syntax = (offset: number, message: string): PipelineDiagnostic => ({
    file,
    ...pos(offset),
    path: '',
    message,
    code: 'syntax',
  });
  if (doc.errors.length > 0)
    return err(
      diagnosticsError(
        'parsePipeline',
        file,
        doc.errors.map((e) => syntax(e.pos[0], e.message)),
      ),
    );
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    return err(diagnosticsError('parsePipeline', file, [syntax(0, showError(cause))]));
  }
  return ok({
    file,
    data,
    diagnostics: unquotedTemplates(doc, text).map(({ offset, source, path }) => ({
      file,
      ...pos(offset),
      path: showPath(path),
      message: `YAML reads ${source} as a mapping, not a template; quote it: "${source}"`,
      code: 'template' as const,
    })),
    locate(path, where = {}) {
      const node = find(doc, path, where.key === true);
      const start = node?.range?.[0] ?? 0;
      return pos(start + (node === undefined ? 0 : shift(node, text, where.offset ?? 0)));
    },
  });
}
