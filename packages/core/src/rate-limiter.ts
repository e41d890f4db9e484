import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { OrchestrationError } from './errors.js';
import { unwrapConfig } from './internal/wrapper-config.js';
import { resolveOptions, type Option } from './options.js';

/** What one call takes from a rate limiter's budget. */
export interface RateLimitRequest {
  /** Requests the call counts as (one per call). */
  readonly requests: number;
  /** Tokens the call is expected to use (0 when the limiter has no token budget). */
  readonly tokens: number;
}

/** A limiter's answer: granted (the budget is taken), or how long until it would be. */
export type RateLimitDecision =
  | { readonly granted: true }
  | {
      readonly granted: false;
      /** Milliseconds until the request would fit (the caller may try again then). */
      readonly retryAfterMs: number;
    };

/** The budget of a rate limiter, per `intervalMs`. */
export interface RateLimits {
  /** Calls allowed in any window of `intervalMs`. */
  readonly requestsPerInterval: number;
  /** Length of the window, in milliseconds. */
  readonly intervalMs: number;
  /** Tokens allowed in any window of `intervalMs`; `undefined` for no token budget. */
  readonly tokensPerInterval: number | undefined;
}

/**
 * A rate limiter: a budget of requests (and optionally tokens) per interval. `createRateLimiter`
 * keeps it in process; a store can share it between processes (`createRedisRateLimiter` in
 * `@baton/memory`). Waiting in line (FIFO, cancellable) is done by the caller, once for every
 * limiter: see `withRateLimit` and `acquireRateLimit` in `@baton/core/authoring`.
 */
export interface RateLimiter {
  /** Names the limiter in errors (`rate_limit_exceeded` messages, `details.limiter`). */
  readonly name: string;
  readonly limits: RateLimits;
  /**
   * Takes `request` from the budget if it fits now; otherwise takes nothing and says when it
   * would fit. A request larger than the whole budget fails with `invalid_input` (it could never
   * run); a store that cannot be reached fails with its error.
   */
  tryAcquire(request: RateLimitRequest): ResultAsync<RateLimitDecision, OrchestrationError>;
  /**
   * Charges `tokens` more (or refunds, when negative) to the current window: the usage a call
   * reported minus what it was charged up front. A charge may overdraw the budget; later calls
   * then wait until the window has room again.
   */
  adjust(tokens: number): ResultAsync<void, OrchestrationError>;
}

/** Settings of {@link createRateLimiter}. */
export interface RateLimiterConfig extends RateLimits {
  /**
   * Names the limiter in errors.
   * @default 'rate-limiter'
   */
  readonly name: string;
  /**
   * The clock, in milliseconds (vitest's fake timers replace `Date.now` too).
   * @default Date.now
   */
  readonly now: () => number;
}

/** Settings of a rate limiter as a user writes them (required: requests and interval). */
export type RateLimiterOptions = Pick<RateLimits, 'requestsPerInterval' | 'intervalMs'> &
  Partial<Pick<RateLimiterConfig, 'name' | 'now'>> & {
    readonly tokensPerInterval?: number | undefined;
  };

const DEFAULTS: RateLimiterConfig = {
  name: 'rate-limiter',
  requestsPerInterval: Number.NaN,
  intervalMs: Number.NaN,
  tokensPerInterval: undefined,
  now: () => Date.now(),
};

/** Schema of the budget numbers, shared by every limiter (the Redis one too). */
export const rateLimitsShape = {
  requestsPerInterval: z
    .number({ error: 'requestsPerInterval must be a number of calls' })
    .int({ error: 'requestsPerInterval must be a whole number of calls' })
    .min(1, { error: 'requestsPerInterval must be at least 1' }),
  intervalMs: z
    .number({ error: 'intervalMs must be a number of milliseconds' })
    .min(1, { error: 'intervalMs must be at least 1 ms' })
    .max(2_147_483_647, { error: 'intervalMs must be at most 2147483647 ms (about 24.8 days)' }),
  tokensPerInterval: z
    .number({ error: 'tokensPerInterval must be a number of tokens' })
    .positive({ error: 'tokensPerInterval must be > 0 (leave it out for no token budget)' })
    .optional(),
};

const schema = z.object({
  ...rateLimitsShape,
  name: z.string().min(1, { error: 'name must be a non-empty string' }),
  now: z.custom<() => number>((v) => typeof v === 'function', {
    error: 'now must be a function () => number',
  }),
}) as unknown as z.ZodType<RateLimiterConfig>;

/** Checks `request` against `limits`: an error for one that can never be granted. */
export function checkRateLimitRequest(
  limiter: Pick<RateLimiter, 'name' | 'limits'>,
  request: RateLimitRequest,
): OrchestrationError | undefined {
  const { requests, tokens } = request;
  const { requestsPerInterval, tokensPerInterval } = limiter.limits;
  const op = limiter.name;
  const bad = (message: string): OrchestrationError =>
    new OrchestrationError('invalid_input', `${op}: ${message}`, {
      op,
      details: { limiter: op, requests, tokens, ...limiter.limits },
    });
  if (!Number.isFinite(requests) || requests < 0 || !Number.isFinite(tokens) || tokens < 0) {
    return bad(
      `a call must cost finite, non-negative requests and tokens, got ${requests} request(s) and ${tokens} token(s); check the cost function`,
    );
  }
  if (requests > requestsPerInterval) {
    return bad(
      `a call costing ${requests} requests can never fit a budget of ${requestsPerInterval} per interval; raise requestsPerInterval`,
    );
  }
  if (tokens > 0 && tokensPerInterval === undefined) {
    return bad(
      `a call costs ${tokens} tokens but the limiter has no token budget; set tokensPerInterval or drop the cost function`,
    );
  }
  if (tokensPerInterval !== undefined && tokens > tokensPerInterval) {
    return bad(
      `a call costing ${tokens} tokens can never fit a budget of ${tokensPerInterval} tokens per interval; raise tokensPerInterval or split the call`,
    );
  }
  return undefined;
}

/** Answers a request synchronously (the in-process limiter): the fast path of `acquireRateLimit`. */
export const TRY_NOW = Symbol.for('baton.rateLimiter.tryNow');

/** A limiter that can answer without a promise (see {@link TRY_NOW}). */
export interface SyncRateLimiter extends RateLimiter {
  [TRY_NOW](request: RateLimitRequest): Result<RateLimitDecision, OrchestrationError>;
}

const GRANTED: Result<RateLimitDecision, OrchestrationError> = ok(Object.freeze({ granted: true }));

/**
 * The in-process limiter: a sliding-window log. Each grant (and each adjustment) is one entry
 * `(time, requests, tokens)`; entries older than the window drop out, so at most
 * `requestsPerInterval` grants fall in any window of `intervalMs` (docs/core.md says why not a
 * token bucket). Memory is bounded by the grants of the last two windows.
 */
class SlidingWindowLimiter implements SyncRateLimiter {
  readonly name: string;
  readonly limits: RateLimits;
  readonly #now: () => number;
  // A deque of entries as parallel arrays from `#head` (no object per grant).
  #times: number[] = [];
  #requests: number[] = [];
  #tokens: number[] = [];
  #head = 0;
  #usedRequests = 0;
  #usedTokens = 0;

  constructor(config: RateLimiterConfig) {
    this.name = config.name;
    this.limits = Object.freeze({
      requestsPerInterval: config.requestsPerInterval,
      intervalMs: config.intervalMs,
      tokensPerInterval: config.tokensPerInterval,
    });
    this.#now = config.now;
  }

  tryAcquire(request: RateLimitRequest): ResultAsync<RateLimitDecision, OrchestrationError> {
    const decision = this[TRY_NOW](request);
    return decision.isOk() ? okAsync(decision.value) : errAsync(decision.error);
  }

  adjust(tokens: number): ResultAsync<void, OrchestrationError> {
    if (!Number.isFinite(tokens)) {
      return errAsync(
        new OrchestrationError(
          'invalid_input',
          `${this.name}: adjust expects a finite number of tokens, got ${tokens}`,
          { op: this.name },
        ),
      );
    }
    if (tokens !== 0) {
      const now = this.#now();
      this.#expire(now);
      this.#push(now, 0, tokens);
    }
    return okAsync(undefined);
  }

  [TRY_NOW](request: RateLimitRequest): Result<RateLimitDecision, OrchestrationError> {
    const invalid = checkRateLimitRequest(this, request);
    if (invalid !== undefined) return err(invalid);
    const now = this.#now();
    this.#expire(now);
    const { requestsPerInterval, tokensPerInterval } = this.limits;
    const tokenRoom = tokensPerInterval ?? Infinity;
    if (
      this.#usedRequests + request.requests <= requestsPerInterval &&
      this.#usedTokens + request.tokens <= tokenRoom
    ) {
      this.#push(now, request.requests, request.tokens);
      return GRANTED;
    }
    // Walk the oldest entries out until the request fits: it fits when that entry expires.
    let requests = this.#usedRequests;
    let tokens = this.#usedTokens;
    for (let i = this.#head; i < this.#times.length; i++) {
      requests -= this.#requests[i] as number;
      tokens -= this.#tokens[i] as number;
      if (
        requests + request.requests <= requestsPerInterval &&
        tokens + request.tokens <= tokenRoom
      ) {
        const at = (this.#times[i] as number) + this.limits.intervalMs;
        return ok({ granted: false, retryAfterMs: Math.max(1, at - now) });
      }
    }
    return ok({ granted: false, retryAfterMs: this.limits.intervalMs });
  }

  #push(now: number, requests: number, tokens: number): void {
    this.#times.push(now);
    this.#requests.push(requests);
    this.#tokens.push(tokens);
    this.#usedRequests += requests;
    this.#usedTokens += tokens;
  }

  /** Drops entries outside the window `(now - intervalMs, now]`. */
  #expire(now: number): void {
    const edge = now - this.limits.intervalMs;
    const times = this.#times;
    let head = this.#head;
    while (head < times.length && (times[head] as number) <= edge) {
      this.#usedRequests -= this.#requests[head] as number;
      this.#usedTokens -= this.#tokens[head] as number;
      head++;
    }
    if (head === times.length) {
      // Empty: reset (also clears float drift in the token sum).
      this.#times = [];
      this.#requests = [];
      this.#tokens = [];
      this.#head = 0;
      this.#usedRequests = 0;
      this.#usedTokens = 0;
      return;
    }
    if (head > 1024 && head * 2 > times.length) {
      this.#times = times.slice(head);
      this.#requests = this.#requests.slice(head);
      this.#tokens = this.#tokens.slice(head);
      head = 0;
    }
    this.#head = head;
  }
}

/** An option of {@link createRateLimiter}'s settings object, applied through the options pipeline. */
function fromSettings(settings: RateLimiterOptions): Option<RateLimiterConfig> {
  return (draft) => {
    for (const [key, value] of Object.entries(settings)) {
      if (value !== undefined) (draft as Record<string, unknown>)[key] = value;
    }
  };
}

/**
 * Creates an in-process rate limiter: at most `requestsPerInterval` calls (and, with
 * `tokensPerInterval`, that many tokens) in any window of `intervalMs`. Share one limiter between
 * Runnables that draw on one quota (`withRateLimit(a, { limiter })`, `withRateLimit(b, { limiter })`).
 * Invalid settings throw `invalid_config` naming the field (a programmer error).
 *
 * @example
 * const openai = createRateLimiter({ requestsPerInterval: 500, intervalMs: 60_000, tokensPerInterval: 200_000 });
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (typeof options !== 'object' || options === null) {
    throw new OrchestrationError(
      'invalid_config',
      'createRateLimiter: expected settings such as { requestsPerInterval: 60, intervalMs: 60_000 }',
      { op: 'createRateLimiter' },
    );
  }
  const config = unwrapConfig(
    resolveOptions(DEFAULTS, [fromSettings({ ...options })], schema, 'createRateLimiter'),
  );
  return new SlidingWindowLimiter(config);
}

/** True for a limiter with the synchronous fast path. */
export function isSyncRateLimiter(limiter: RateLimiter): limiter is SyncRateLimiter {
  return typeof (limiter as Partial<SyncRateLimiter>)[TRY_NOW] === 'function';
}
