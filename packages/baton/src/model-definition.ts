import type { RateLimiter, Runnable } from '@baton/core';
import { z } from 'zod';

/** A message of a chat (`chat` action, `ModelRequest.messages`). */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** What a model Runnable receives: the conversation, and the last user message as `prompt`. */
export interface ModelInput {
  readonly messages: readonly ChatMessage[];
  readonly prompt: string;
  /** Upper bound of output tokens the task asked for, if any. */
  readonly maxTokens?: number;
}

/**
 * A `@langchain/core` chat model (or any LangChain Runnable taking messages), recognised by
 * shape: it is adapted with `@baton/langchain`'s `fromLangChain` on first use.
 */
export interface LangChainChatModelLike {
  readonly lc_runnable: true;
  invoke(input: never, options?: never): Promise<unknown>;
}

/** Requests and tokens a model may take per minute, and what a call beyond them does. */
export interface ModelRateLimit {
  /** @default no limit */
  readonly requestsPerMinute?: number;
  /** Input plus output tokens (input estimated before the call). @default no limit */
  readonly tokensPerMinute?: number;
  /**
   * `wait` until the budget allows the call; `fail` at once with `rate_limit_exceeded` (the
   * registry then tries the next model). A request's own `onLimit` wins.
   * @default 'wait'
   */
  readonly onLimit?: 'wait' | 'fail';
  /**
   * A limiter to draw on instead of the per-minute budget above: share one (in process, or on
   * Redis with `createRedisRateLimiter` from `@baton/memory`) between models or processes.
   * @default a new in-process limiter of `requestsPerMinute` and `tokensPerMinute`
   */
  readonly limiter?: RateLimiter;
}

/** A model as registered with `registerModel`. */
export interface ModelDefinition {
  /** Unique name; a task may ask for it by `model`. */
  readonly name: string;
  /** What the model can do (`text`, `chat`, `vision`, `json`, ...); a task asks for some. */
  readonly capabilities: readonly string[];
  /** Price of a million input tokens (any currency, the same for every model). */
  readonly costPerMTokIn: number;
  /** Price of a million output tokens. */
  readonly costPerMTokOut: number;
  /**
   * The model: a Baton Runnable taking a {@link ModelInput}, or a LangChain chat model. Its
   * output may be a string, `{ content }` (a LangChain message) or `{ text }`.
   */
  readonly runnable: Runnable<ModelInput> | LangChainChatModelLike;
  /** @default no limit */
  readonly rateLimit?: ModelRateLimit;
  /**
   * Consecutive failures that open the model's circuit (it is skipped until `resetTimeoutMs`
   * passed, then one trial call decides).
   * @default { failureThreshold: 3, resetTimeoutMs: 30_000 }
   */
  readonly circuitBreaker?: {
    readonly failureThreshold?: number;
    readonly resetTimeoutMs?: number;
  };
}

const positiveInt = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int()
    .min(1, { error: `${what} must be >= 1` });

const isModel = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null) return false;
  try {
    const v = value as Record<string, unknown>;
    return typeof v['invoke'] === 'function';
  } catch {
    return false;
  }
};

/** Validates a {@link ModelDefinition}; messages name the field. */
export const modelDefinitionSchema = z.strictObject({
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, { error: 'name must not be empty' }),
  capabilities: z
    .array(z.string().trim().min(1), { error: 'capabilities must be an array of names' })
    .min(1, { error: 'capabilities must name at least one capability' }),
  costPerMTokIn: z
    .number({ error: 'costPerMTokIn must be a number' })
    .min(0, { error: 'costPerMTokIn must be >= 0' }),
  costPerMTokOut: z
    .number({ error: 'costPerMTokOut must be a number' })
    .min(0, { error: 'costPerMTokOut must be >= 0' }),
  runnable: z.custom<ModelDefinition['runnable']>(isModel, {
    error: 'runnable must be a Baton Runnable or a LangChain chat model',
  }),
  rateLimit: z
    .strictObject({
      requestsPerMinute: positiveInt('rateLimit.requestsPerMinute').optional(),
      tokensPerMinute: positiveInt('rateLimit.tokensPerMinute').optional(),
      onLimit: z
        .enum(['wait', 'fail'], { error: 'rateLimit.onLimit must be wait or fail' })
        .optional(),
      limiter: z
        .custom<RateLimiter>(
          (v) => typeof (v as { tryAcquire?: unknown } | null)?.tryAcquire === 'function',
          { error: 'rateLimit.limiter must be a RateLimiter (createRateLimiter from @baton/core)' },
        )
        .optional(),
    })
    .refine(
      (r) =>
        r.limiter !== undefined ||
        r.requestsPerMinute !== undefined ||
        r.tokensPerMinute !== undefined,
      { error: 'rateLimit needs requestsPerMinute, tokensPerMinute or a limiter' },
    )
    .optional(),
  circuitBreaker: z
    .strictObject({
      failureThreshold: positiveInt('circuitBreaker.failureThreshold').optional(),
      resetTimeoutMs: z.number().min(0).optional(),
    })
    .optional(),
});

/** Rough token count of a text (4 characters a token), for budgets decided before a call. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Token usage reported by a model's output, when it reports any. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        typeof part === 'string'
          ? part
          : typeof (part as { text?: unknown } | null)?.text === 'string'
            ? (part as { text: string }).text
            : '',
      )
      .join('');
  }
  return undefined;
}

/** The text of a model's output: a string, `{ content }` (LangChain message) or `{ text }`. */
export function outputText(output: unknown): string | undefined {
  if (typeof output === 'string') return output;
  if (typeof output !== 'object' || output === null) return undefined;
  const o = output as { content?: unknown; text?: unknown };
  return contentText(o.content) ?? (typeof o.text === 'string' ? o.text : undefined);
}

/** Usage the output reports (LangChain's `usage_metadata`, or `usage`), if any. */
export function reportedUsage(output: unknown): TokenUsage | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const o = output as {
    usage_metadata?: { input_tokens?: unknown; output_tokens?: unknown };
    usage?: { inputTokens?: unknown; outputTokens?: unknown };
  };
  const lc = o.usage_metadata;
  if (typeof lc?.input_tokens === 'number' && typeof lc.output_tokens === 'number') {
    return { inputTokens: lc.input_tokens, outputTokens: lc.output_tokens };
  }
  const u = o.usage;
  if (typeof u?.inputTokens === 'number' && typeof u.outputTokens === 'number') {
    return { inputTokens: u.inputTokens, outputTokens: u.outputTokens };
  }
  return undefined;
}
