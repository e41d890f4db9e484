import { err, ok } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { isResult } from './is-result.js';

describe('isResult', () => {
  it('recognises Ok and Err, and nothing else, without throwing', () => {
    expect(isResult(ok(1))).toBe(true);
    expect(isResult(err('x'))).toBe(true);
    for (const value of [null, undefined, 1, 'ok', { isOk: true, isErr: true }, () => ok(1)]) {
      expect(isResult(value)).toBe(false);
    }
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
      },
    );
    expect(isResult(hostile)).toBe(false);
  });
});
