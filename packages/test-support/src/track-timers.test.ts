import { describe, expect, it } from 'vitest';
import { trackTimers } from './track-timers.js';

describe('trackTimers', () => {
  it('counts timers that neither fired nor were cleared, and restores the globals', async () => {
    const original = globalThis.setTimeout;
    const timers = trackTimers();
    try {
      const long = setTimeout(() => undefined, 60_000);
      const numeric = setTimeout(() => undefined, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(timers.pending()).toBe(2);
      expect(timers.pending(120_000)).toBe(0);
      clearTimeout(long);
      clearTimeout(Number(numeric));
      expect(timers.pending()).toBe(0);
    } finally {
      timers.restore();
    }
    expect(globalThis.setTimeout).toBe(original);
  });
});
