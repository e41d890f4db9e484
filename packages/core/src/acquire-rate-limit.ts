import { abortError, NEVER_SIGNAL } from './abort.js';
import { OrchestrationError, toOrchestrationError } from './errors.js';
import { MAX_TIMER_MS } from './internal/wrapper-config.js';
import {
  isSyncRateLimiter,
  TRY_NOW,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRequest,
} from './rate-limiter.js';

/** What to do when the budget is spent: wait in line, or fail at once with `rate_limit_exceeded`. */
export type OnRateLimit = 'wait' | 'fail';

/** How {@link acquireRateLimit} takes budget for one call. */
export interface AcquireOptions {
  /** Aborting it takes the caller out of the line (it fails with `task_canceled`). */
  readonly signal?: AbortSignal;
  /** @default 'wait' */
  readonly onLimit?: OnRateLimit;
  /** Names the call in errors. @default the limiter's name */
  readonly op?: string;
}

interface Waiter {
  readonly request: RateLimitRequest;
  readonly signal: AbortSignal;
  readonly op: string;
  readonly resolve: () => void;
  readonly reject: (error: OrchestrationError) => void;
  onAbort: (() => void) | undefined;
}

/** The line of callers waiting for one limiter, in arrival order. */
class Line {
  readonly waiters: Waiter[] = [];
  timer: ReturnType<typeof setTimeout> | undefined;
  /** A `tryAcquire` for the head is in flight. */
  trying = false;
  /** When the head expects to fit (for `fail` callers arriving while others wait). */
  readyAt = 0;

  constructor(readonly limiter: RateLimiter) {}

  add(waiter: Waiter): void {
    this.waiters.push(waiter);
    if (waiter.signal !== NEVER_SIGNAL) {
      waiter.onAbort = () => this.#leave(waiter);
      waiter.signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
  }

  /** Tries for the head after `ms` (0: now). */
  schedule(ms: number): void {
    if (this.timer !== undefined || this.trying) return;
    this.readyAt = Date.now() + ms;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.#tryHead();
      },
      Math.min(Math.max(0, ms), MAX_TIMER_MS),
    );
  }

  #leave(waiter: Waiter): void {
    const i = this.waiters.indexOf(waiter);
    if (i < 0) return;
    this.waiters.splice(i, 1);
    waiter.reject(abortError(waiter.signal, waiter.op));
    if (this.waiters.length === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (i === 0 && !this.trying) {
      // The new head may cost less and fit sooner.
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.schedule(0);
    }
  }

  #settle(waiter: Waiter): void {
    this.waiters.shift();
    if (waiter.onAbort !== undefined) waiter.signal.removeEventListener('abort', waiter.onAbort);
  }

  #tryHead(): void {
    const limiter = this.limiter;
    if (isSyncRateLimiter(limiter)) {
      // In process: serve as many waiters as fit now, without a promise per decision.
      for (let head = this.waiters[0]; head !== undefined; head = this.waiters[0]) {
        const decision = limiter[TRY_NOW](head.request);
        if (decision.isErr()) {
          this.#settle(head);
          head.reject(decision.error);
        } else if (decision.value.granted) {
          this.#settle(head);
          head.resolve();
        } else {
          this.schedule(decision.value.retryAfterMs);
          return;
        }
      }
      return;
    }
    const head = this.waiters[0];
    if (head === undefined) return;
    this.trying = true;
    const onDecision = (decision: RateLimitDecision): void => {
      this.trying = false;
      if (this.waiters[0] !== head) {
        // The head left while we asked; its grant (if any) goes to nobody, and the line goes on.
        this.schedule(0);
        return;
      }
      if (decision.granted) {
        this.#settle(head);
        head.resolve();
        this.schedule(0);
      } else {
        this.schedule(decision.retryAfterMs);
      }
    };
    const onError = (error: OrchestrationError): void => {
      this.trying = false;
      if (this.waiters[0] === head) {
        this.#settle(head);
        head.reject(error);
      }
      this.schedule(0);
    };
    decide(limiter, head.request).then(onDecision, (e: unknown) =>
      onError(toOrchestrationError(e, head.op)),
    );
  }
}

const lines = new WeakMap<RateLimiter, Line>();

function decide(limiter: RateLimiter, request: RateLimitRequest): Promise<RateLimitDecision> {
  return limiter.tryAcquire(request).match(
    (decision) => decision,
    (error) => {
      throw error;
    },
  );
}

/** The `rate_limit_exceeded` error of a call refused for `retryAfterMs`. */
export function rateLimitError(
  limiter: RateLimiter,
  op: string,
  retryAfterMs: number,
): OrchestrationError {
  const { requestsPerInterval, intervalMs, tokensPerInterval } = limiter.limits;
  const budget =
    `${requestsPerInterval} requests` +
    (tokensPerInterval === undefined ? '' : ` and ${tokensPerInterval} tokens`) +
    ` per ${intervalMs} ms`;
  const wait = Math.ceil(retryAfterMs);
  return new OrchestrationError(
    'rate_limit_exceeded',
    `${op}: the rate limit of ${limiter.name} (${budget}) is reached; retry in about ${wait} ms, or use onLimit: 'wait' to queue`,
    {
      op,
      retryable: true,
      details: { limiter: limiter.name, retryAfterMs: wait, ...limiter.limits },
    },
  );
}

/**
 * Takes `request` from `limiter`'s budget for one call. With `onLimit: 'wait'` (the default) the
 * caller waits in line: callers of one limiter in one process are served first come, first
 * served, and an aborted signal takes the caller out of the line (`task_canceled`). With
 * `'fail'` it rejects at once with `rate_limit_exceeded` (retryable; `details.retryAfterMs`).
 * Rejects with an `OrchestrationError`; resolves when the budget is taken.
 */
export function acquireRateLimit(
  limiter: RateLimiter,
  request: RateLimitRequest,
  options: AcquireOptions = {},
): Promise<void> {
  const signal = options.signal ?? NEVER_SIGNAL;
  const op = options.op ?? limiter.name;
  if (signal.aborted) return Promise.reject(abortError(signal, op));
  const fail = options.onLimit === 'fail';
  const line = lines.get(limiter);
  if (line !== undefined && line.waiters.length > 0) {
    // Others are waiting: a newcomer does not jump the line.
    if (fail) {
      const retryAfterMs = Math.max(1, line.readyAt - Date.now());
      return Promise.reject(rateLimitError(limiter, op, retryAfterMs));
    }
    return wait(limiter, request, signal, op);
  }
  if (isSyncRateLimiter(limiter)) {
    const decision = limiter[TRY_NOW](request);
    if (decision.isErr()) return Promise.reject(decision.error);
    return answer(decision.value, limiter, request, signal, op, fail);
  }
  return decide(limiter, request).then(
    (decision) => answer(decision, limiter, request, signal, op, fail),
    (error: unknown) => {
      throw toOrchestrationError(error, op);
    },
  );
}

const DONE = Promise.resolve();

function answer(
  decision: RateLimitDecision,
  limiter: RateLimiter,
  request: RateLimitRequest,
  signal: AbortSignal,
  op: string,
  fail: boolean,
): Promise<void> {
  if (decision.granted) return DONE;
  if (fail) return Promise.reject(rateLimitError(limiter, op, decision.retryAfterMs));
  return wait(limiter, request, signal, op, decision.retryAfterMs);
}

function wait(
  limiter: RateLimiter,
  request: RateLimitRequest,
  signal: AbortSignal,
  op: string,
  retryAfterMs = 0,
): Promise<void> {
  let line = lines.get(limiter);
  if (line === undefined) {
    line = new Line(limiter);
    lines.set(limiter, line);
  }
  const l = line;
  return new Promise<void>((resolve, reject) => {
    l.add({ request, signal, op, resolve, reject, onAbort: undefined });
    l.schedule(retryAfterMs);
  });
}
