/**
 * The scheduling module runs where the in-process executor does not (a Temporal workflow's
 * sandbox): it imports its own files, neverthrow and types only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('.', import.meta.url);
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.includes('.test'));

describe('the scheduling module', () => {
  it.each(sources)('%s imports nothing with side effects or I/O', (file) => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    const imports = [...text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)];
    for (const [, typeOnly, from] of imports) {
      const allowed =
        from?.startsWith('./') === true || from === 'neverthrow' || typeOnly !== undefined;
      expect(allowed, `${file} imports ${from}`).toBe(true);
    }
    expect(text).not.toMatch(
      /setTimeout|setImmediate|AbortSignal|Date\.now|performance\.|Math\.random/,
    );
  });
});
