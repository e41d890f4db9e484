import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.js';

/** A limiter on a manual clock. */
function manual(options: {
  requestsPerInterval: number;
  intervalMs: number;
  tokensPerInterval?: number;
}) {
  let time = 0;
  const limiter = createRateLimiter({ ...options, now: () => time });
  return { limiter, at: (t: number) => (time = t) };
}

const granted = { granted: true };

describe('createRateLimiter', () => {
  it('grants requestsPerInterval calls per window and says when the next fits', async () => {
    const { limiter, at } = manual({ requestsPerInterval: 2, intervalMs: 1_000 });
    const one = { requests: 1, tokens: 0 };
    at(0);
    expect((await limiter.tryAcquire(one))._unsafeUnwrap()).toEqual(granted);
    at(400);
    expect((await limiter.tryAcquire(one))._unsafeUnwrap()).toEqual(granted);
    at(500);
    expect((await limiter.tryAcquire(one))._unsafeUnwrap()).toEqual({
      granted: false,
      retryAfterMs: 500,
    });
    at(1_000); // the grant at 0 left the window (0, 1000]
    expect((await limiter.tryAcquire(one))._unsafeUnwrap()).toEqual(granted);
  });

  it('counts tokens and charges reported usage with adjust (also refunds)', async () => {
    const { limiter, at } = manual({
      requestsPerInterval: 100,
      intervalMs: 1_000,
      tokensPerInterval: 100,
    });
    at(0);
    expect((await limiter.tryAcquire({ requests: 1, tokens: 60 }))._unsafeUnwrap()).toEqual(
      granted,
    );
    expect((await limiter.tryAcquire({ requests: 1, tokens: 50 }))._unsafeUnwrap()).toEqual({
      granted: false,
      retryAfterMs: 1_000,
    });
    (await limiter.adjust(-20))._unsafeUnwrap(); // the call used 40, not 60
    expect((await limiter.tryAcquire({ requests: 1, tokens: 50 }))._unsafeUnwrap()).toEqual(
      granted,
    );
    at(10);
    (await limiter.adjust(30))._unsafeUnwrap(); // overdrawn: 120 of 100
    // Room again when the entries of time 0 leave the window; the charge of time 10 stays.
    expect((await limiter.tryAcquire({ requests: 1, tokens: 1 }))._unsafeUnwrap()).toEqual({
      granted: false,
      retryAfterMs: 990,
    });
  });

  it('refuses a request that can never fit, and bad numbers, with invalid_input', async () => {
    const { limiter } = manual({
      requestsPerInterval: 2,
      intervalMs: 1_000,
      tokensPerInterval: 10,
    });
    const tooBig = (await limiter.tryAcquire({ requests: 1, tokens: 11 }))._unsafeUnwrapErr();
    expect(tooBig.code).toBe('invalid_input');
    expect(tooBig.message).toContain('raise tokensPerInterval');
    expect((await limiter.tryAcquire({ requests: 3, tokens: 0 }))._unsafeUnwrapErr().code).toBe(
      'invalid_input',
    );
    expect((await limiter.tryAcquire({ requests: 1, tokens: -1 }))._unsafeUnwrapErr().code).toBe(
      'invalid_input',
    );
    expect((await limiter.adjust(Number.NaN))._unsafeUnwrapErr().code).toBe('invalid_input');
    const noTokens = manual({ requestsPerInterval: 2, intervalMs: 1_000 }).limiter;
    const e = (await noTokens.tryAcquire({ requests: 1, tokens: 5 }))._unsafeUnwrapErr();
    expect(e.message).toContain('no token budget');
  });

  it('rejects invalid settings with invalid_config naming the field', () => {
    const bad = (settings: object, field: string) => {
      try {
        createRateLimiter(settings as never);
        expect.unreachable();
      } catch (error) {
        expect(error).toMatchObject({ code: 'invalid_config' });
        expect((error as Error).message).toContain(field);
      }
    };
    bad({ requestsPerInterval: 0, intervalMs: 1_000 }, 'requestsPerInterval');
    bad({ requestsPerInterval: 1.5, intervalMs: 1_000 }, 'requestsPerInterval');
    bad({ requestsPerInterval: 1 }, 'intervalMs');
    bad({ requestsPerInterval: 1, intervalMs: 1_000, tokensPerInterval: -5 }, 'tokensPerInterval');
    bad(null as never, 'requestsPerInterval');
  });

  it('never grants more than N calls in any window (property, vs a reference)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 30 }),
            tokens: fc.integer({ min: 0, max: 10 }),
          }),
          {
            maxLength: 80,
          },
        ),
        async (n, intervalMs, calls) => {
          const { limiter, at } = manual({
            requestsPerInterval: n,
            intervalMs,
            tokensPerInterval: 10,
          });
          let time = 0;
          const grants: { time: number; tokens: number }[] = [];
          for (const call of calls) {
            time += call.gap;
            at(time);
            const d = (
              await limiter.tryAcquire({ requests: 1, tokens: call.tokens })
            )._unsafeUnwrap();
            if (d.granted) {
              grants.push({ time, tokens: call.tokens });
            } else {
              // The reference agrees that the call does not fit now...
              const inWindow = grants.filter((g) => g.time > time - intervalMs);
              const used = inWindow.reduce((s, g) => s + g.tokens, 0);
              expect(inWindow.length + 1 > n || used + call.tokens > 10).toBe(true);
              // ...and the wait it names is when it would.
              at(time + d.retryAfterMs);
              const later = grants.filter((g) => g.time > time + d.retryAfterMs - intervalMs);
              const laterUsed = later.reduce((s, g) => s + g.tokens, 0);
              expect(later.length + 1 <= n && laterUsed + call.tokens <= 10).toBe(true);
              at(time);
            }
          }
          // Reference: every half-open window [t, t + interval) holds at most n grants.
          for (const g of grants) {
            const window = grants.filter((h) => h.time >= g.time && h.time < g.time + intervalMs);
            expect(window.length).toBeLessThanOrEqual(n);
            expect(window.reduce((s, h) => s + h.tokens, 0)).toBeLessThanOrEqual(10);
          }
        },
      ),
    );
  });
});
