import { describe, expectTypeOf, test } from 'vitest';
import { runnable } from './runnable-fn.js';
import type { Runnable } from './runnable.js';

const upper = runnable('upper', (t: string) => t.toUpperCase());
/** Drops the literal name type, so the tests compare input and output types only. */
const io = <I, O>(r: Runnable<I, O>): Runnable<I, O> => r;

describe('runnable output types', () => {
  test('sync generators are collected like async ones', () => {
    const s = runnable('s', function* (t: string) {
      yield t;
    });
    expectTypeOf(io(s)).toEqualTypeOf<Runnable<string, string>>();
    const n = runnable('n', function* () {
      yield 1;
    });
    expectTypeOf(io(n)).toEqualTypeOf<Runnable<unknown, number[]>>();
  });
  test("a returned Runnable's output is the output", () => {
    expectTypeOf(io(runnable('r', () => upper))).toEqualTypeOf<Runnable<unknown, string>>();
    expectTypeOf(io(runnable('p', async () => Promise.resolve(upper)))).toEqualTypeOf<
      Runnable<unknown, string>
    >();
  });
  test('strings and arrays stay values', () => {
    expectTypeOf(io(runnable('s', () => 'abc'))).toEqualTypeOf<Runnable<unknown, string>>();
    expectTypeOf(io(runnable('a', () => [1, 2]))).toEqualTypeOf<Runnable<unknown, number[]>>();
  });
});
