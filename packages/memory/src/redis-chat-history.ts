import { OrchestrationError, type HealthReport, type Option } from '@baton/core';
import { resolveOptions } from '@baton/core/authoring';
import type { BaseMessage } from '@langchain/core/messages';
import type { ChainableCommander } from 'ioredis';
import type { Result, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { openRedis, type RedisConnection } from './internal/redis-connection.js';
import { decodeMessage, encodeMessages } from './internal/stored-messages.js';
import { validateId } from './internal/validate-id.js';
import { REDIS_DEFAULTS, redisConfigShape, type RedisConfig } from './redis-options.js';
import type { ReplaceableChatHistory } from './replaceable-chat-history.js';

/** Options of {@link createRedisChatHistory}. */
export interface RedisChatHistoryConfig extends RedisConfig {
  /**
   * Prefix of the session keys: a session's list lives at `<keyPrefix><sessionId>`.
   * @default 'baton:chat:'
   */
  readonly keyPrefix: string;
  /**
   * Expiry of a session's list in milliseconds, refreshed on every write.
   * @default undefined (never expires)
   */
  readonly ttlMs: number | undefined;
}

/** Makes a session's list expire `ms` after its last write. */
export function withRedisTtlMs(ms: number): Option<{ ttlMs: number | undefined }> {
  return (draft) => {
    draft.ttlMs = ms;
  };
}

/** A chat history in a Redis list (one JSON stored message per element). */
export interface RedisChatHistory extends ReplaceableChatHistory<BaseMessage> {
  /** The list's key. */
  readonly key: string;
  /** Closes the connection when the history opened it (not a client given with withRedisClient). */
  close(): Promise<void>;
}

const DEFAULTS: RedisChatHistoryConfig = {
  ...REDIS_DEFAULTS,
  keyPrefix: 'baton:chat:',
  ttlMs: undefined,
};

const schema = z.object({
  ...redisConfigShape,
  ttlMs: z.number().int().positive('expected a positive number of milliseconds').optional(),
}) as z.ZodType<RedisChatHistoryConfig>;

class RedisHistory implements RedisChatHistory {
  constructor(
    readonly sessionId: string,
    readonly key: string,
    private readonly conn: RedisConnection,
    private readonly ttlMs: number | undefined,
  ) {}

  getMessages(): ResultAsync<BaseMessage[], OrchestrationError> {
    return this.#run('getMessages', async () => {
      const items = await this.conn.client.lrange(this.key, 0, -1);
      return items.map((item, index) => this.#decode(item, index));
    });
  }

  addMessage(message: BaseMessage): ResultAsync<void, OrchestrationError> {
    return this.addMessages([message]);
  }

  addMessages(messages: readonly BaseMessage[]): ResultAsync<void, OrchestrationError> {
    return this.#run('addMessages', async () => {
      if (messages.length === 0) return;
      const lines = encodeMessages(messages);
      if (this.ttlMs === undefined) {
        await this.conn.client.rpush(this.key, ...lines);
        return;
      }
      await this.#exec(this.conn.client.multi().rpush(this.key, ...lines));
    });
  }

  replaceMessages(messages: readonly BaseMessage[]): ResultAsync<void, OrchestrationError> {
    return this.#run('replaceMessages', async () => {
      const tx = this.conn.client.multi().del(this.key);
      if (messages.length > 0) tx.rpush(this.key, ...encodeMessages(messages));
      await this.#exec(tx);
    });
  }

  clear(): ResultAsync<void, OrchestrationError> {
    return this.#run('clear', async () => {
      await this.conn.client.del(this.key);
    });
  }

  check(): Promise<HealthReport> {
    return this.conn.check('chat-history:redis', { key: this.key });
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  /** Runs a MULTI (adding the TTL refresh) and surfaces the first failed reply. */
  async #exec(tx: ChainableCommander): Promise<void> {
    if (this.ttlMs !== undefined) tx.pexpire(this.key, this.ttlMs);
    const replies = await tx.exec();
    if (replies === null) throw new Error('transaction aborted');
    for (const [error] of replies) if (error) throw error;
  }

  #decode(item: string, index: number): BaseMessage {
    try {
      return decodeMessage(JSON.parse(item));
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new OrchestrationError(
        'invalid_state',
        `redisChatHistory.getMessages: list ${this.key} at ${this.conn.url} is corrupt at index ${index} (${reason}); remove that element or clear the session`,
        { op: 'redisChatHistory.getMessages', cause, details: { key: this.key, index } },
      );
    }
  }

  #run<T>(name: string, fn: () => Promise<T>): ResultAsync<T, OrchestrationError> {
    return this.conn.run(`redisChatHistory.${name}`, fn);
  }
}

/**
 * A chat history in Redis: one list per session at `<keyPrefix><sessionId>`, one JSON stored
 * message per element, appended with RPUSH (several messages in one RPUSH, so atomically). With
 * `withRedisTtlMs`, every write refreshes the expiry. An unknown session is an empty history.
 * Connection failures become `dependency_failed` (`timeout` for a slow server, `invalid_config`
 * for refused credentials) with the URL in the message and the password never shown.
 *
 * @example
 * const result = createRedisChatHistory('user-42', withRedisUrl('redis://127.0.0.1:6379'),
 *   withRedisTtlMs(86_400_000));
 * if (result.isErr()) throw result.error;
 * const history = result.value;
 * await history.addMessage(new HumanMessage('hi'));
 * await history.close();
 */
export function createRedisChatHistory(
  sessionId: string,
  ...options: Option<RedisChatHistoryConfig>[]
): Result<RedisChatHistory, OrchestrationError> {
  const op = 'createRedisChatHistory';
  return validateId(sessionId, 'sessionId', op).andThen((id) =>
    resolveOptions(DEFAULTS, options, schema, op).andThen((config) =>
      openRedis(config, op).map(
        (conn) => new RedisHistory(id, `${config.keyPrefix}${id}`, conn, config.ttlMs),
      ),
    ),
  );
}
