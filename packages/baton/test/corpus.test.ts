/**
 * Every file in `corpus/` is an invalid pipeline; `<file>.expected` holds its exact diagnostics,
 * one `file:line:col: message` per line, in order. Parsing and validation must report all of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatDiagnostic,
  parsePipeline,
  pipelineDiagnostics,
  validatePipeline,
} from '../src/index.js';
import { testLookups } from './support/lookups.js';

const dir = join(import.meta.dirname, 'corpus');
const files = readdirSync(dir)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

/** The diagnostics of `file` as printed lines (empty when the file is valid). */
function diagnose(file: string): string[] {
  const text = readFileSync(join(dir, file), 'utf8');
  const result = parsePipeline(text, { file }).andThen((parsed) =>
    validatePipeline(parsed, testLookups()),
  );
  return result.isOk() ? [] : pipelineDiagnostics(result.error).map(formatDiagnostic);
}

describe('the corpus of invalid pipeline files', () => {
  it('has at least 30 files, each with its expected diagnostics', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    for (const file of files) expect(readdirSync(dir)).toContain(`${file}.expected`);
  });

  it.each(files)('%s reports exactly its expected diagnostics', (file) => {
    const expected = readFileSync(join(dir, `${file}.expected`), 'utf8')
      .trimEnd()
      .split('\n');
    expect(diagnose(file)).toEqual(expected);
  });
});
