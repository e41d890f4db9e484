import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scopeResolver, planValue } from './render-plan.js';
import {
  parseTemplate,
  readPath,
  renderTemplate,
  type Lookup,
  type TemplateRef,
} from './template.js';

const tasks = new Set(['extract', 'items']);

function render(
  value: unknown,
  input: Record<string, unknown>,
  outputs: Record<string, unknown> = {},
): Lookup {
  return planValue(value, 'parameters')(scopeResolver({ input, outputs }, tasks));
}

/** Doubles every brace: the text a user writes for a literal string. */
const escape = (s: string) => s.replace(/[{}]/g, (c) => c + c);

describe('parseTemplate', () => {
  it('splits literal text and references, with {{ and }} as literal braces', () => {
    const t = parseTemplate('Hi {input.name}, {{not a ref}} and { extract.facts.0 }');
    expect(t.problems).toEqual([]);
    expect(t.parts).toEqual([
      'Hi ',
      { head: 'input', path: ['name'], offset: 3, text: '{input.name}' },
      ', {not a ref} and ',
      { head: 'extract', path: ['facts', '0'], offset: 35, text: '{ extract.facts.0 }' },
    ]);
    expect(t.whole).toBeUndefined();
  });

  it('recognises a whole-value template', () => {
    expect(parseTemplate('{items}').whole).toMatchObject({ head: 'items', path: [] });
    expect(parseTemplate(' {items}').whole).toBeUndefined();
  });

  it('reports every problem with its offset', () => {
    const t = parseTemplate('{a b} then {ok} then {__proto__.x} then {input} then {open');
    expect(t.problems.map((p) => p.offset)).toEqual([0, 21, 40, 53]);
    expect(t.problems.map((p) => p.message)).toEqual([
      '"{a b}" is not a reference ({task}, {task.field} or {input.key}); write "{{" and "}}" for literal braces',
      '"{__proto__.x}" reaches "__proto__", which templates may not read',
      '"{input}" names no input; write {input.<key>}',
      'unclosed "{"; write "{{" for a literal brace',
    ]);
  });

  it('gives back any text written with doubled braces, unchanged (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const t = parseTemplate(escape(s));
        expect(t.problems).toEqual([]);
        expect(renderTemplate(t, () => ({ found: false, reason: 'no refs' }))).toEqual({
          found: true,
          value: s,
        });
      }),
    );
  });
});

describe('rendering', () => {
  it('keeps the type of a whole-value reference: an array stays an array', () => {
    expect(render({ list: '{items}', n: '{input.n}' }, { n: 3 }, { items: [1, 2] })).toEqual({
      found: true,
      value: { list: [1, 2], n: 3 },
    });
  });

  it('writes data inside text as JSON, and an optional dependency that did not run as nothing', () => {
    expect(render('got {extract} and {items}', {}, { extract: { a: 1 } })).toEqual({
      found: true,
      value: 'got {"a":1} and ',
    });
    expect(render('{items}', {})).toEqual({ found: true, value: null });
  });

  it('a bare name is a task when a task has that id, else an input', () => {
    expect(
      render('{extract}/{document}', { document: 'd', extract: 'input!' }, { extract: 't' }),
    ).toEqual({
      found: true,
      value: 't/d',
    });
  });

  it('fails naming the missing input or field', () => {
    expect(render({ p: 'x {document}' }, {})).toEqual({
      found: false,
      reason: `parameters.p: {document}: input "document" is missing; pass it in the run's input`,
    });
    expect(render(['{extract.facts}'], {}, { extract: { other: 1 } })).toEqual({
      found: false,
      reason: 'parameters[0]: {extract.facts}: the output of "extract" has no field "facts"',
    });
    expect(render('{extract.length}', {}, { extract: 'text' })).toEqual({
      found: false,
      reason:
        'parameters: {extract.length}: the output of "extract" is string; it has no field "length"',
    });
  });

  it('substitutes once: a value that looks like a template stays literal', () => {
    const input = { document: '{input.secret}', secret: 'leaked', evil: '{{x}}' };
    expect(render('Doc: {document} {evil}', input)).toEqual({
      found: true,
      value: 'Doc: {input.secret} {{x}}',
    });
    expect(render('{document}', input)).toEqual({ found: true, value: '{input.secret}' });
  });

  it('renders a fresh copy each time, so an action mutating its parameters changes nothing', () => {
    const plan = planValue({ list: [1, { a: 2 }] }, 'parameters');
    const first = plan(() => ({ found: true, value: null }));
    (first as { value: { list: unknown[] } }).value.list.push('mutated');
    expect(plan(() => ({ found: true, value: null }))).toEqual({
      found: true,
      value: { list: [1, { a: 2 }] },
    });
  });
});

describe('hostile input', () => {
  it('never reaches a prototype, whatever the path', () => {
    for (const path of [
      ['__proto__', 'polluted'],
      ['constructor', 'prototype'],
      ['toString'],
      ['hasOwnProperty'],
    ])
      expect(readPath({ a: 1 }, path, 'x').found).toBe(false);
    expect(readPath('text', ['length'], 'x').found).toBe(false);
    expect(readPath(new Map([['a', 1]]), ['size'], 'x').found).toBe(false);
    const ref: TemplateRef = {
      head: 'input',
      path: ['__proto__', 'polluted'],
      offset: 0,
      text: '{x}',
    };
    expect(scopeResolver({ input: {}, outputs: {} }, tasks)(ref).found).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps a __proto__ key of the data as data, not as a prototype', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const out = render({ v: '{input.data}' }, { data });
    expect(out.found && Object.hasOwn((out.value as { v: object }).v, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('renders huge values and deeply nested references in one pass', () => {
    const big = 'x{'.repeat(500_000);
    expect(render('[{document}]', { document: big })).toEqual({ found: true, value: `[${big}]` });
    let deep: Record<string, unknown> = { end: 'bottom' };
    const path: string[] = [];
    for (let i = 0; i < 1000; i++) {
      deep = { [`k${i}`]: deep };
      path.unshift(`k${i}`);
    }
    expect(render(`{input.deep.${path.join('.')}.end}`, { deep })).toEqual({
      found: true,
      value: 'bottom',
    });
  });

  it('refuses a value it cannot write as text instead of throwing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(render('x {extract}', {}, { extract: cyclic }).found).toBe(false);
  });
});
