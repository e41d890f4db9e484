import {
  createRateLimiter,
  OrchestrationError,
  toOrchestrationError,
  type RateLimiter,
} from '@baton/core';
import { acquireRateLimit } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import type { ModelRateLimit } from '../model-definition.js';

/** The per-model budget of requests and tokens per minute, on core's rate limiter. */
export interface ModelLimiter {
  readonly limiter: RateLimiter;
  /**
   * Takes one request and `tokens` (estimated) from the budget: waits in line until they fit,
   * or fails with `rate_limit_exceeded` when told not to wait. A call larger than the whole
   * token budget is charged the whole budget (it could never fit otherwise).
   */
  acquire(
    tokens: number,
    options: { readonly onLimit?: 'wait' | 'fail'; readonly signal?: AbortSignal },
  ): Promise<Result<number, OrchestrationError>>;
  /** Charges the difference between the tokens a call used and what it was charged. */
  settle(charged: number, used: number): void;
}

const MINUTE = 60_000;

/** Builds the limiter of one model from its `rateLimit` (or uses the shared one it names). */
export function createModelLimiter(
  model: string,
  limit: ModelRateLimit,
): Result<ModelLimiter, OrchestrationError> {
  let limiter: RateLimiter;
  if (limit.limiter !== undefined) limiter = limit.limiter;
  else {
    try {
      limiter = createRateLimiter({
        name: `model:${model}`,
        intervalMs: MINUTE,
        requestsPerInterval: limit.requestsPerMinute ?? Number.MAX_SAFE_INTEGER,
        ...(limit.tokensPerMinute === undefined
          ? {}
          : { tokensPerInterval: limit.tokensPerMinute }),
      });
    } catch (error) {
      const cause = toOrchestrationError(error, 'registerModel');
      return err(
        new OrchestrationError(
          'invalid_config',
          `registerModel: model "${model}": rateLimit: ${cause.message}`,
          { op: 'registerModel', cause },
        ),
      );
    }
  }
  const budget = limiter.limits.tokensPerInterval;
  const onLimitDefault = limit.onLimit ?? 'wait';
  return ok({
    limiter,
    async acquire(tokens, options) {
      const charged = budget === undefined ? 0 : Math.min(tokens, budget);
      try {
        await acquireRateLimit(
          limiter,
          { requests: 1, tokens: charged },
          {
            onLimit: options.onLimit ?? onLimitDefault,
            op: `model:${model}`,
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          },
        );
        return ok(charged);
      } catch (error) {
        return err(toOrchestrationError(error, `model:${model}`));
      }
    },
    settle(charged, used) {
      if (budget === undefined || used === charged) return;
      // The budget was taken; a store that fails to record the correction only skews the
      // next window, so the answer the caller already has stands.
      void limiter.adjust(used - charged);
    },
  });
}
