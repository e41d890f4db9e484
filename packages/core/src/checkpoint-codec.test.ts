import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkpointValuesEqual,
  decodeCheckpointValue,
  encodeCheckpointValue,
} from './checkpoint-codec.js';
import { OrchestrationError } from './errors.js';

class Point {
  constructor(readonly x: number) {}
}
class HttpError extends Error {}

/** Values the codec must refuse, each with the words its error uses. */
const refusedValue = fc.constantFrom<[unknown, string]>(
  [new Point(1), 'class Point'],
  [() => 1, 'function'],
  [Symbol('s'), 'symbol'],
  [new HttpError('x'), 'class HttpError'],
  [new WeakMap(), 'class WeakMap'],
);

/** Whether `value` has an own `__proto__` key somewhere (refused: devalue guards against it). */
function hasProtoKey(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  if (Object.hasOwn(value, '__proto__')) return true;
  const children =
    value instanceof Map
      ? [...value].flat()
      : value instanceof Set
        ? [...value]
        : Object.values(value);
  return children.some((child) => hasProtoKey(child, seen));
}

/** Plain data plus everything devalue keeps: Map, Set, Date, BigInt, typed arrays, ... */
const anyValue = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
  withObjectString: true,
  stringUnit: 'grapheme',
  maxDepth: 3,
});
const keptValue = anyValue.filter((value) => !hasProtoKey(value));

const keptExtras = fc.constantFrom<unknown>(
  /a+b/giu,
  new URL('https://example.com/a?b=1'),
  new Error('plain', { cause: new RangeError('inner') }),
  Object.assign(new Error('with code'), { code: 'E_CODE', status: 503 }),
  new OrchestrationError('timeout', 'slow', { op: 'x', details: { ms: 5 } }),
  new Uint8Array([1, 2, 3]).subarray(1),
  new ArrayBuffer(4),
);

function roundTrip(value: unknown): unknown {
  const text = encodeCheckpointValue(value, 'value', 'test')._unsafeUnwrap();
  return decodeCheckpointValue(text, 'here', 'test')._unsafeUnwrap();
}

/** Puts `leaf` somewhere inside `value` and gives the path devalue reports for it. */
function nest(value: unknown, leaf: unknown, key: string): { value: unknown; path: string } {
  return { value: { data: value, [key]: [leaf] }, path: `${key}[0]` };
}

describe('checkpoint codec', () => {
  it('round-trips every value it accepts, deep-equal', () => {
    fc.assert(
      fc.property(fc.oneof(keptValue, keptExtras), (value) => {
        expect(roundTrip(value)).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary outputs either round-trip deep-equal or are refused at write time, naming the path', () => {
    const key = fc.stringMatching(/^[a-z]{1,6}$/u).filter((k) => k !== 'data');
    const output = fc.oneof(
      keptValue.map((value) => ({ value, refused: undefined })),
      fc
        .tuple(keptValue, refusedValue, key)
        .map(([value, [leaf, words], k]) => ({ ...nest(value, leaf, k), refused: words })),
    );
    fc.assert(
      fc.property(output, (o) => {
        const encoded = encodeCheckpointValue(o.value, 'node "n" output', 'store.saveNode');
        if (o.refused === undefined) {
          const text = encoded._unsafeUnwrap();
          expect(decodeCheckpointValue(text, 'here', 'test')._unsafeUnwrap()).toStrictEqual(
            o.value,
          );
        } else {
          const error = encoded._unsafeUnwrapErr();
          expect(error.code).toBe('invalid_input');
          expect(error.message).toContain('node "n" output');
          expect(error.message).toContain(o.refused);
          expect(error.details['path']).toBe((o as { path: string }).path);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps undefined fields, Maps, cycles and shared references', () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { shared, again: shared, gone: undefined };
    cyclic['self'] = cyclic;
    const back = roundTrip(cyclic) as Record<string, unknown>;
    expect(back['self']).toBe(back);
    expect(back['shared']).toBe(back['again']);
    expect('gone' in back).toBe(true);
  });

  it('revives errors with their class, message, code, cause and own fields', () => {
    const error = Object.assign(new TypeError('bad', { cause: new Error('root') }), {
      code: 'E_BAD',
    });
    const back = roundTrip(error) as TypeError & { code: string };
    expect(back).toBeInstanceOf(TypeError);
    expect(back.code).toBe('E_BAD');
    expect((back.cause as Error).message).toBe('root');
    const orchestration = roundTrip(
      new OrchestrationError('not_found', 'gone', { op: 'load', details: { id: 1 } }),
    ) as OrchestrationError;
    expect(orchestration).toBeInstanceOf(OrchestrationError);
    expect([orchestration.code, orchestration.op, orchestration.details]).toEqual([
      'not_found',
      'load',
      { id: 1 },
    ]);
  });

  it('refuses an own "__proto__" key, saying so', () => {
    const value = JSON.parse('{"a":{"__proto__":1}}') as unknown;
    const error = encodeCheckpointValue(value, 'output', 'op')._unsafeUnwrapErr();
    expect(error.message).toContain('a is an object');
    expect(error.message).toContain('"__proto__" key');
  });

  it('keeps boxed primitives, a boxed NaN and -0 too', () => {
    for (const boxed of [Object(Number.NaN), Object(-0), Object('s'), Object(false)] as object[])
      expect(roundTrip(boxed)).toStrictEqual(boxed);
    expect(Object.is((roundTrip(Object(-0)) as number).valueOf(), -0)).toBe(true);
  });

  it('refuses a value whose reading throws, saying so', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    const error = encodeCheckpointValue({ hostile }, 'output', 'op')._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('no keys');
  });

  it('reads plain JSON records as they are and reports corrupt text with invalid_state', () => {
    expect(decodeCheckpointValue('{"a":[1,{"b":null}]}', 'f', 'op')._unsafeUnwrap()).toEqual({
      a: [1, { b: null }],
    });
    const error = decodeCheckpointValue('{"a":', 'run.json', 'op')._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain('run.json');
  });

  it('checkpointValuesEqual: a value equals its round trip, and differs from a changed value', () => {
    fc.assert(
      fc.property(fc.oneof(keptValue, keptExtras), (value) => {
        expect(checkpointValuesEqual(value, roundTrip(value))).toBe(true);
        expect(checkpointValuesEqual({ v: value }, { v: value, extra: 1 })).toBe(false);
        expect(checkpointValuesEqual([value], [value, value])).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('checkpointValuesEqual compares by content, not identity or record prototype', () => {
    const shared = { n: 1 };
    const record = Object.assign(Object.create(null) as object, { a: 1 });
    const cases: [unknown, unknown, boolean][] = [
      [{ x: shared, y: shared }, { x: { n: 1 }, y: { n: 1 } }, true],
      [record, { a: 1 }, true],
      [new Map([['k', 1]]), new Map([['k', 1]]), true],
      [new Map([['k', 1]]), new Map([['k', 2]]), false],
      [new Map([['k', 1]]), {}, false],
      [new Set([1]), new Set([2]), false],
      [new Date(1), new Date(1), true],
      [new Date(1), new Date(2), false],
      [Number.NaN, Number.NaN, true],
      [0, -0, false],
      [[1, , 3], [1, undefined, 3], false], // eslint-disable-line no-sparse-arrays
      [new Uint8Array([1, 2]), new Uint8Array([1, 2]), true],
      [new Uint8Array([1, 2]), new Int8Array([1, 2]), false],
      [{ a: undefined }, {}, false],
      [new TypeError('x'), new TypeError('x'), true],
      [new TypeError('x'), new RangeError('x'), false],
      [10n, 10n, true],
    ];
    for (const [a, b, same] of cases) expect(checkpointValuesEqual(a, b)).toBe(same);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const other: Record<string, unknown> = {};
    other['self'] = other;
    expect(checkpointValuesEqual(cyclic, other)).toBe(true);
  });
});
