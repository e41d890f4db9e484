import { err, errAsync, ok, okAsync } from 'neverthrow';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { OrchestrationError } from './errors.js';
import { orThrow } from './or-throw.js';
import { runnable } from './runnable-fn.js';

describe('orThrow', () => {
  it('returns the value of an Ok', () => {
    const value = orThrow(ok(42));
    expectTypeOf(value).toEqualTypeOf<number>();
    expect(value).toBe(42);
  });

  it('throws the OrchestrationError of an Err itself, a real Error', () => {
    const cause = new Error('socket closed');
    const error = new OrchestrationError('not_found', 'no provider "x"; registered: simple', {
      cause,
      details: { name: 'x' },
    });
    let thrown: unknown;
    try {
      orThrow(err(error));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(error);
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toMatchObject({ code: 'not_found', cause, details: { name: 'x' } });
    expect(String(thrown)).toContain('no provider "x"');
  });

  it('maps another error value to an OrchestrationError keeping it as cause', () => {
    expect(() => orThrow(err('boom'))).toThrow(
      expect.objectContaining({ code: 'execution_failed', cause: 'boom' }),
    );
  });

  it('awaits a ResultAsync or a Promise of a Result', async () => {
    const value = orThrow(okAsync('a'));
    expectTypeOf(value).toEqualTypeOf<Promise<string>>();
    await expect(value).resolves.toBe('a');
    await expect(orThrow(Promise.resolve(ok(1)))).resolves.toBe(1);
    const error = new OrchestrationError('timeout', 'slow');
    await expect(orThrow(errAsync(error))).rejects.toBe(error);
  });

  it('unwraps a run', async () => {
    const upper = runnable('upper', (text: string) => text.toUpperCase());
    await expect(orThrow(upper.invoke('hi'))).resolves.toBe('HI');
    const failing = runnable('failing', () => {
      throw new Error('nope');
    });
    await expect(orThrow(failing.invoke(null))).rejects.toMatchObject({
      code: 'execution_failed',
      op: 'failing',
    });
  });
});
