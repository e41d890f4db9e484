import { OrchestrationError, type HealthChecker } from '@baton/core';
import { err, type Result } from 'neverthrow';
import type { ModelRateLimit } from '../model-definition.js';

/** The per-model budget of requests and tokens per minute. */
export interface ModelLimiter extends HealthChecker {
  /**
   * Takes one request and `tokens` (estimated) from the budget: waits until they are there, or
   * fails with `rate_limit_exceeded` when told not to wait.
   */
  acquire(
    tokens: number,
    options: { readonly onLimit?: 'wait' | 'fail'; readonly signal?: AbortSignal },
  ): Promise<Result<void, OrchestrationError>>;
  /** Corrects the budget with the tokens the call really used. */
  record(tokens: number): void;
}

/** Builds the limiter of one model from its `rateLimit`. */
export function createModelLimiter(
  model: string,
  _limit: ModelRateLimit,
): Result<ModelLimiter, OrchestrationError> {
  return err(
    new OrchestrationError(
      'invalid_config',
      `registerModel: model "${model}": rateLimit needs core's withRateLimit, which this build lacks`,
      { op: 'registerModel' },
    ),
  );
}
