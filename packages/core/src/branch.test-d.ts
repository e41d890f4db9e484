import { describe, expectTypeOf, test } from 'vitest';
import { branch } from './branch.js';
import { runnable } from './runnable-fn.js';
import type { Runnable } from './runnable.js';

const count = runnable('count', (text: string) => text.length);
const twice = runnable('twice', (text: string) => text.length * 2);
const shout = runnable('shout', (text: string) => text.toUpperCase());
const half = runnable('half', (n: number) => n / 2);

describe('branch types', () => {
  test('input and output of the cases', () => {
    expectTypeOf(branch([[(t: string) => t === '', count]], twice)).toEqualTypeOf<
      Runnable<string, number>
    >();
    expectTypeOf(branch([[async (t: string) => t === '', count]], twice)).toEqualTypeOf<
      Runnable<string, number>
    >();
  });
  test('different outputs need an explicit union', () => {
    expectTypeOf(branch<string, number | string>([[(t) => t === '', count]], shout)).toEqualTypeOf<
      Runnable<string, number | string>
    >();
  });
  test('a case taking another input is a compile error', () => {
    // @ts-expect-error half takes a number
    branch([[(t: string) => t === '', half]], count);
  });
});
