import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCheckpointValue, encodeCheckpointValue } from './checkpoint-codec.js';
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

/** Plain data plus everything devalue keeps: Map, Set, Date, BigInt, typed arrays, ... */
const keptValue = fc.anything({
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
});
