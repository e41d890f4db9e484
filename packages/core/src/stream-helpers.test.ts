import { describe, expect, it } from 'vitest';
import { runnable } from './runnable-fn.js';
import { lastOutput, toAsyncIterable } from './stream-helpers.js';
import { EMPTY } from 'rxjs';

describe('stream helpers', () => {
  it('lastOutput resolves with the run-end output', async () => {
    expect((await lastOutput(runnable('x', (n: number) => n * 2).stream(4)))._unsafeUnwrap()).toBe(
      8,
    );
    expect((await lastOutput(EMPTY))._unsafeUnwrapErr().code).toBe('invalid_state');
  });

  it('toAsyncIterable yields every event, and throws a failure from the loop', async () => {
    const types: string[] = [];
    for await (const e of toAsyncIterable(runnable('x', (n: number) => n).stream(1)))
      types.push(e.type);
    expect(types).toEqual(['run-start', 'run-end']);
    const failing = runnable('f', () => {
      throw new Error('nope');
    });
    await expect(async () => {
      for await (const _ of toAsyncIterable(failing.stream(null))) {
        // drain
      }
    }).rejects.toMatchObject({ code: 'execution_failed' });
  });

  it('leaving the loop early aborts the run', async () => {
    let aborted = false;
    const slow = runnable('slow', async function* (_: null, ctx) {
      ctx.signal.addEventListener('abort', () => (aborted = true));
      yield 'first';
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      yield 'never';
    });
    for await (const e of toAsyncIterable(slow.stream(null))) {
      if (e.type === 'chunk') break;
    }
    expect(aborted).toBe(true);
  });
});
