import { context } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExecutionContext } from './runnable.js';
import { NEVER_SIGNAL } from './abort.js';
import { withDeadline } from './with-deadline.js';

const ctx: ExecutionContext = {
  signal: NEVER_SIGNAL,
  runId: 'r',
  metadata: {},
  sink: undefined,
  path: [],
  enclosing: undefined,
  otel: context.active(),
};

afterEach(() => {
  vi.useRealTimers();
});

describe('withDeadline', () => {
  it('a deadline beyond setTimeout range (2^31 - 1 ms) does not fire at once', async () => {
    // Node clamps such delays to 1 ms, which used to time every run out immediately.
    let signal: AbortSignal | undefined;
    const out = await withDeadline('op', 3e9, ctx, async (inner) => {
      signal = inner.signal;
      await new Promise((r) => setTimeout(r, 10));
      return 'done';
    });
    expect(out).toBe('done');
    expect(signal?.aborted).toBe(false);
  });

  it('leaves no timer behind once settled', async () => {
    vi.useFakeTimers();
    await withDeadline('op', 1_000, ctx, () => Promise.resolve(1));
    expect(vi.getTimerCount()).toBe(0);
  });
});
