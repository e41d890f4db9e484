import { describe, expectTypeOf, test } from 'vitest';
import { runnable } from './runnable-fn.js';
import type { Runnable } from './runnable.js';

const upper = runnable('upper', (t: string) => t.toUpperCase());

describe('runnable output types', () => {
  test('sync generators are collected like async ones', () => {
    expectTypeOf(
      runnable('s', function* (t: string) {
        yield t;
      }),
    ).toEqualTypeOf<Runnable<string, string>>();
    expectTypeOf(
      runnable('n', function* () {
        yield 1;
      }),
    ).toEqualTypeOf<Runnable<unknown, number[]>>();
  });
  test("a returned Runnable's output is the output", () => {
    expectTypeOf(runnable('r', () => upper)).toEqualTypeOf<Runnable<unknown, string>>();
    expectTypeOf(runnable('p', async () => Promise.resolve(upper))).toEqualTypeOf<
      Runnable<unknown, string>
    >();
  });
  test('strings and arrays stay values', () => {
    expectTypeOf(runnable('s', () => 'abc')).toEqualTypeOf<Runnable<unknown, string>>();
    expectTypeOf(runnable('a', () => [1, 2])).toEqualTypeOf<Runnable<unknown, number[]>>();
  });
});
