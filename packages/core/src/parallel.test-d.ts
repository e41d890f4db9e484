import { describe, expectTypeOf, test } from 'vitest';
import { parallel } from './parallel.js';
import { runnable } from './runnable-fn.js';
import type { Runnable } from './runnable.js';

const length = runnable('length', (text: string) => text.length);
const upper = runnable('upper', (text: string) => text.toUpperCase());
const half = runnable('half', (n: number) => n / 2);

describe('parallel types', () => {
  test('outputs by key, input shared', () => {
    expectTypeOf(parallel({ length, upper })).toEqualTypeOf<
      Runnable<string, { length: number; upper: string }>
    >();
  });
  test('branches must take the same input', () => {
    // @ts-expect-error half takes a number, the others a string
    parallel({ length, half });
  });
});
