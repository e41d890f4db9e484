import {
  OrchestrationError,
  type HealthChecker,
  type HealthReport,
  type Option,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRequest,
  type RateLimits,
} from '@baton/core';
import { checkRateLimitRequest, rateLimitsShape, resolveOptions } from '@baton/core/authoring';
import type { Redis } from 'ioredis';
import { err, errAsync, ok, type Result, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { openRedis, type RedisConnection } from './internal/redis-connection.js';
import { validateId } from './internal/validate-id.js';
import { REDIS_DEFAULTS, redisConfigShape, type RedisConfig } from './redis-options.js';

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterConfig extends RedisConfig {
  /**
   * Prefix of the limiter's keys: its window lives at `<keyPrefix>{<name>}`.
   * @default 'baton:ratelimit:'
   */
  readonly keyPrefix: string;
}

/** A rate limiter whose budget lives in Redis, shared by every process that uses its name. */
export interface RedisRateLimiter extends RateLimiter, HealthChecker {
  /** The Redis key of the window. */
  readonly key: string;
  /** PINGs Redis. */
  check(): Promise<HealthReport>;
  /** Closes the connection when the limiter opened it (not a client given with withRedisClient). */
  close(): Promise<void>;
}

const DEFAULTS: RedisRateLimiterConfig = { ...REDIS_DEFAULTS, keyPrefix: 'baton:ratelimit:' };

const schema = z.object(redisConfigShape) as z.ZodType<RedisRateLimiterConfig>;
const limitsSchema = z.object(rateLimitsShape).strict();

/**
 * One atomic step on the window: a sorted set of entries `<time>-<seq>:<requests>:<tokens>`
 * scored by their time in ms on Redis' clock (one clock for every process), and a hash with the
 * sums of the entries in the window (`r`, `t`) and the entry sequence (`seq`). Entries that left
 * the window are subtracted and removed, then the step records an adjustment, grants the request
 * (recording it), or answers how long until it would fit (walking the oldest entries: only then
 * is the window read whole). Returns `{granted 1|0, retryAfterMs}`.
 * KEYS: window, sums. ARGV: intervalMs, maxRequests, maxTokens (-1: none), requests, tokens, mode.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local maxR = tonumber(ARGV[2])
local maxT = tonumber(ARGV[3])
local req = tonumber(ARGV[4])
local tok = tonumber(ARGV[5])
local function parse(member)
  local r, k = string.match(member, '^[^:]+:([^:]+):(.+)$')
  return tonumber(r) or 0, tonumber(k) or 0
end
local sums = redis.call('HMGET', KEYS[2], 'r', 't')
local usedR, usedT = tonumber(sums[1]), tonumber(sums[2])
local edge = now - interval
if usedR == nil or usedT == nil then
  -- No sums (first use, or they were deleted): count the window whole.
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', edge)
  usedR, usedT = 0, 0
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local r, k = parse(member)
    usedR, usedT = usedR + r, usedT + k
  end
else
  local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', edge)
  if #old > 0 then
    for _, member in ipairs(old) do
      local r, k = parse(member)
      usedR, usedT = usedR - r, usedT - k
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', edge)
    if redis.call('ZCARD', KEYS[1]) == 0 then usedR, usedT = 0, 0 end
  end
end
local function record(r, k)
  local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
  redis.call('ZADD', KEYS[1], now, now .. '-' .. seq .. ':' .. r .. ':' .. ARGV[5])
  usedR, usedT = usedR + r, usedT + k
end
local function save()
  redis.call('HSET', KEYS[2], 'r', tostring(usedR), 't', tostring(usedT))
  redis.call('PEXPIRE', KEYS[1], interval)
  redis.call('PEXPIRE', KEYS[2], interval)
end
local function fits(r, k)
  return r + req <= maxR and (maxT < 0 or k + tok <= maxT)
end
if ARGV[6] == 'adjust' then
  record(0, tok)
  save()
  return {1, 0}
end
if fits(usedR, usedT) then
  record(req, tok)
  save()
  return {1, 0}
end
save()
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local r, k = usedR, usedT
for i = 1, #entries, 2 do
  local er, ek = parse(entries[i])
  r, k = r - er, k - ek
  if fits(r, k) then
    return {0, math.max(1, tonumber(entries[i + 1]) + interval - now)}
  end
end
return {0, interval}
`;

type LimitCommand = (
  window: string,
  sums: string,
  intervalMs: number,
  maxRequests: number,
  maxTokens: number,
  requests: number,
  tokens: number,
  mode: 'acquire' | 'adjust',
) => Promise<[number, number]>;

const COMMAND = 'batonRateLimit';

/** The script as a command of `client` (ioredis sends EVALSHA, and the script once if missing). */
function command(client: Redis): LimitCommand {
  const c = client as unknown as Record<string, LimitCommand | undefined>;
  if (typeof c[COMMAND] !== 'function') {
    client.defineCommand(COMMAND, { numberOfKeys: 2, lua: SCRIPT });
  }
  return (c[COMMAND] as LimitCommand).bind(client);
}

class RedisLimiter implements RedisRateLimiter {
  readonly key: string;
  readonly #sums: string;
  readonly #run: LimitCommand;

  constructor(
    readonly name: string,
    readonly limits: RateLimits,
    prefix: string,
    private readonly conn: RedisConnection,
  ) {
    // One hash tag, so both keys land on one slot of a Redis Cluster.
    this.key = `${prefix}{${name}}`;
    this.#sums = `${this.key}:sums`;
    this.#run = command(conn.client);
  }

  tryAcquire(request: RateLimitRequest): ResultAsync<RateLimitDecision, OrchestrationError> {
    const invalid = checkRateLimitRequest(this, request);
    if (invalid !== undefined) return errAsync(invalid);
    return this.#call('tryAcquire', request.requests, request.tokens, 'acquire').map(
      ([granted, retryAfterMs]): RateLimitDecision =>
        granted === 1 ? { granted: true } : { granted: false, retryAfterMs },
    );
  }

  adjust(tokens: number): ResultAsync<void, OrchestrationError> {
    if (!Number.isFinite(tokens)) {
      return errAsync(
        new OrchestrationError(
          'invalid_input',
          `${this.name}: adjust expects a finite number of tokens, got ${tokens}`,
          { op: `redisRateLimiter.adjust` },
        ),
      );
    }
    return this.#call('adjust', 0, tokens, 'adjust').map(() => undefined);
  }

  check(): Promise<HealthReport> {
    return this.conn.check('rate-limiter:redis', { key: this.key, ...this.limits });
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  #call(
    op: string,
    requests: number,
    tokens: number,
    mode: 'acquire' | 'adjust',
  ): ResultAsync<[number, number], OrchestrationError> {
    const { intervalMs, requestsPerInterval, tokensPerInterval } = this.limits;
    return this.conn.run(`redisRateLimiter.${op}`, () =>
      this.#run(
        this.key,
        this.#sums,
        Math.ceil(intervalMs),
        requestsPerInterval,
        tokensPerInterval ?? -1,
        requests,
        tokens,
        mode,
      ),
    );
  }
}

function readLimits(limits: unknown, op: string): Result<RateLimits, OrchestrationError> {
  const parsed = limitsSchema.safeParse(limits);
  if (parsed.success) {
    const { requestsPerInterval, intervalMs, tokensPerInterval } = parsed.data;
    return ok(Object.freeze({ requestsPerInterval, intervalMs, tokensPerInterval }));
  }
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'limits';
  return err(
    new OrchestrationError(
      'invalid_config',
      `${op}: ${field}: ${issue?.message ?? 'invalid'}; expected { requestsPerInterval, intervalMs, tokensPerInterval? }`,
      { op, details: { field } },
    ),
  );
}

/**
 * A rate limiter shared across processes through Redis: every process that creates a limiter
 * with the same `name` (and the same limits) draws on one budget of `requestsPerInterval` calls
 * (and `tokensPerInterval` tokens) in any window of `intervalMs`, measured on Redis' clock. Each
 * decision is one atomic Lua script (a sliding-window log in a sorted set). Use it with
 * `withRateLimit(runnable, { limiter })`; callers of one process wait in line first come, first
 * served. Redis failures become `dependency_failed` / `timeout` errors of the call.
 *
 * @example
 * const limiter = createRedisRateLimiter('openai', { requestsPerInterval: 500, intervalMs: 60_000 },
 *   withRedisUrl('redis://127.0.0.1:6379'));
 */
export function createRedisRateLimiter(
  name: string,
  limits: Pick<RateLimits, 'requestsPerInterval' | 'intervalMs'> & {
    readonly tokensPerInterval?: number | undefined;
  },
  ...options: Option<RedisRateLimiterConfig>[]
): Result<RedisRateLimiter, OrchestrationError> {
  const op = 'createRedisRateLimiter';
  return validateId(name, 'name', op).andThen((id) =>
    readLimits(limits, op).andThen((checked) =>
      resolveOptions(DEFAULTS, options, schema, op).andThen((config) =>
        openRedis(config, op).map((conn) => new RedisLimiter(id, checked, config.keyPrefix, conn)),
      ),
    ),
  );
}
