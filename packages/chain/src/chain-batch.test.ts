import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChain } from './create-chain.js';
import { delay } from '../test/fixtures.js';

describe('batch', () => {
  it('keeps input order and never runs more than maxConcurrency chains at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        async (delays, maxConcurrency) => {
          let running = 0;
          let peak = 0;
          const chain = createChain([
            async (ms: number) => {
              running++;
              peak = Math.max(peak, running);
              await delay(ms);
              return ms;
            },
            async (ms: number) => {
              await delay(ms);
              running--;
              return ms * 10;
            },
          ])._unsafeUnwrap();
          const out = (await chain.batch(delays, { maxConcurrency }))._unsafeUnwrap();
          expect(out).toEqual(delays.map((d) => d * 10));
          expect(peak).toBeLessThanOrEqual(maxConcurrency);
          if (delays.length >= maxConcurrency) expect(peak).toBe(maxConcurrency);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('returns one Result per input with batchSettled', async () => {
    const chain = createChain([
      (n: number) => {
        if (n < 0) throw new Error('negative');
        return n;
      },
    ])._unsafeUnwrap();
    const results = (await chain.batchSettled([1, -1, 2], { maxConcurrency: 2 }))._unsafeUnwrap();
    expect(results.map((r) => r.isOk())).toEqual([true, false, true]);
  });
});
