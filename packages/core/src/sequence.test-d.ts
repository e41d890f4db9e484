import { describe, expectTypeOf, test } from 'vitest';
import { runnable } from './runnable-fn.js';
import type { Runnable } from './runnable.js';
import { sequence } from './sequence.js';

const parse = runnable('parse', (text: string) => Number(text));
const double = runnable('double', (n: number) => n * 2);
const show = runnable('show', (n: number) => ({ label: String(n) }));
const literal = runnable('literal', (x: 'a' | 'b') => x);

describe('sequence types', () => {
  test('input of the first, output of the last', () => {
    expectTypeOf(sequence(parse, double, show)).toEqualTypeOf<
      Runnable<string, { label: string }>
    >();
    expectTypeOf(sequence(parse)).toEqualTypeOf<Runnable<string, number>>();
  });
  test('a mismatched boundary is a compile error', () => {
    // @ts-expect-error number output does not fit string input
    sequence(parse, parse);
    const toText = runnable('s', (x: number) => String(x));
    // @ts-expect-error string does not fit 'a' | 'b' (no bivariance loophole)
    sequence(toText, literal);
    // @ts-expect-error the third boundary is wrong
    sequence(parse, double, show, double);
  });
  test('arrays of steps', () => {
    const steps: Runnable<number, number>[] = [double, double];
    expectTypeOf(sequence(...steps)).toEqualTypeOf<Runnable<number, number>>();
    expectTypeOf(sequence(parse, ...steps)).toEqualTypeOf<Runnable<string, number>>();
    const bad: Runnable<number, string>[] = [];
    // @ts-expect-error string output cannot feed the next number input
    sequence(...bad);
  });
});
