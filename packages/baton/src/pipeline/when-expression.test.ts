import { describe, expect, it } from 'vitest';
import { scopeResolver } from './render-plan.js';
import { evaluateWhen, parseWhen, truthy, whenReferences } from './when-expression.js';

const scope = {
  input: { threshold: 0.5, tags: ['a', 'b'], name: 'Ada', meta: { lang: 'en' } },
  outputs: { score: { value: 0.7, label: 'spam' }, empty: [] },
};
const resolve = scopeResolver(scope, new Set(['score', 'empty', 'skipped']));

/** Whether the task would run. */
function when(source: string): boolean {
  return parseWhen(source)
    .mapErr((e) => e.message)
    .andThen((node) => evaluateWhen(node, resolve))
    .map(truthy)
    ._unsafeUnwrap();
}

function error(source: string): string {
  const parsed = parseWhen(source);
  if (parsed.isErr()) return `parse@${parsed.error.offset}: ${parsed.error.message}`;
  return evaluateWhen(parsed.value, resolve)._unsafeUnwrapErr();
}

describe('when conditions', () => {
  it.each([
    ['score.value > input.threshold', true],
    ['score.value > threshold and score.label == "spam"', true],
    ['not score.value >= 1', true],
    ['score.label != \'spam\' or name == "Ada"', true],
    ['score.label != "spam" or name == "Bob" and true', false],
    ['(score.label != "spam" or name == "Ada") and false', false],
    ['"a" in tags and "c" not in tags', true],
    ['score.label in ["ham", "spam"]', true],
    ['"lang" in meta', true],
    ['"Ad" in name', true],
    ['{score.value} <= 0.7', true],
    ['empty', false],
    ['skipped == null', true],
    ['-1 < 0', true],
    ['"it\\"s" == \'it"s\'', true],
    ['[1, [2]] == [1, [2]]', true],
  ])('%s is %s', (source, expected) => {
    expect(when(source)).toBe(expected);
  });

  it('lists its references', () => {
    const node = parseWhen('a.b > 1 and (input.x in [c, 2] or not d)')._unsafeUnwrap();
    expect(whenReferences(node).map((r) => r.text)).toEqual(['a.b', 'input.x', 'c', 'd']);
  });

  it('says where a condition does not parse', () => {
    expect(error('score.value >')).toBe('parse@13: expected a value, got "end of condition"');
    expect(error('a && b')).toBe('parse@2: unexpected "&& b" in condition; write and, or, not');
    expect(error('a b')).toBe('parse@2: unexpected "b" in condition');
    expect(error('[1, 2')).toBe('parse@5: expected "," or "]" in list');
    expect(error('score.__proto__')).toBe(
      'parse@0: "score.__proto__" reaches "__proto__", which templates may not read',
    );
  });

  it('fails a comparison between types that do not compare', () => {
    expect(error('name > 1')).toBe('cannot compare string > number');
    expect(error('1 in 2')).toBe(
      '"in" needs a list, a string or an object on its right, got number',
    );
    expect(error('score.missing == 1')).toBe(
      'score.missing: the output of "score" has no field "missing"',
    );
  });

  it('is not code: calls, property tricks and assignments do not parse', () => {
    for (const hostile of [
      'constructor.constructor("return process")()',
      'score.value = 1',
      'this',
      '`x`',
      'score["__proto__"]',
    ])
      expect(parseWhen(hostile).isErr() || hostile === 'this').toBe(true);
    // `this` is only a reference to a task or input named "this".
    expect(error('this')).toBe(`this: input "this" is missing; pass it in the run's input`);
  });

  it('bounds nesting and length instead of exhausting the stack', () => {
    expect(error(`${'('.repeat(100)}1${')'.repeat(100)}`)).toMatch(/nested deeper than 64 levels/);
    expect(error(`${'not '.repeat(100)}true`)).toMatch(/nested deeper than 64 levels/);
    expect(error(Array.from({ length: 1500 }, () => 'true').join(' and '))).toMatch(
      /longer than 2000 tokens/,
    );
    expect(when(Array.from({ length: 900 }, () => 'true').join(' and '))).toBe(true);
  });
});
