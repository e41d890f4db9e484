import { describe, expect, it } from 'vitest';
import { MODES, runVia } from '../test/run-every-way.js';
import { passthrough } from './passthrough.js';

describe('passthrough', () => {
  it.each(MODES)('returns its input unchanged (%s)', async (mode) => {
    const value = { a: [1, 2] };
    expect((await runVia(mode, passthrough<typeof value>(), value))._unsafeUnwrap()).toBe(value);
  });

  it('still honours an aborted signal', async () => {
    const e = (
      await passthrough<number>().invoke(1, { signal: AbortSignal.abort() })
    )._unsafeUnwrapErr();
    expect(e.code).toBe('task_canceled');
  });
});
