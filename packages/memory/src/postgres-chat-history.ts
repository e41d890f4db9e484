import { OrchestrationError, type HealthReport, type Option } from '@baton/core';
import { resolveOptions } from '@baton/core/authoring';
import type { BaseMessage } from '@langchain/core/messages';
import { ResultAsync, type Result } from 'neverthrow';
import { z } from 'zod';
import {
  openPostgres,
  type PostgresConnection,
  type Queryable,
} from './internal/postgres-connection.js';
import { Mutex } from './internal/serialize.js';
import { decodeMessage, encodeMessages } from './internal/stored-messages.js';
import { validateId } from './internal/validate-id.js';
import { POSTGRES_DEFAULTS, postgresConfigShape, type PostgresConfig } from './postgres-options.js';
import type { ReplaceableChatHistory } from './replaceable-chat-history.js';

/** Options of {@link createPostgresChatHistory}. */
export type PostgresChatHistoryConfig = PostgresConfig;

/** A chat history in PostgreSQL (one row per message). */
export interface PostgresChatHistory extends ReplaceableChatHistory<BaseMessage> {
  /** Ends the pool when the history opened it (not a pool given with withPostgresPool). */
  close(): Promise<void>;
}

const schema = z.object(postgresConfigShape) as z.ZodType<PostgresChatHistoryConfig>;

class PostgresHistory implements PostgresChatHistory {
  readonly #table: string;
  readonly #writes = new Mutex();

  constructor(
    readonly sessionId: string,
    private readonly conn: PostgresConnection,
  ) {
    this.#table = `"${conn.schema}".chat_messages`;
  }

  getMessages(): ResultAsync<BaseMessage[], OrchestrationError> {
    const op = 'postgresChatHistory.getMessages';
    return this.conn.run(op, async (db) => {
      const result = await db.query<{ seq: string; message: unknown }>(
        `SELECT seq, message FROM ${this.#table} WHERE session_id = $1 ORDER BY seq`,
        [this.sessionId],
      );
      return result.rows.map((row) => this.#decode(row.message, row.seq, op));
    });
  }

  addMessage(message: BaseMessage): ResultAsync<void, OrchestrationError> {
    return this.addMessages([message]);
  }

  addMessages(messages: readonly BaseMessage[]): ResultAsync<void, OrchestrationError> {
    // One INSERT of several rows: all the messages are added or none.
    return this.#write(() =>
      this.conn.run('postgresChatHistory.addMessages', (db) => this.#insert(db, messages)),
    );
  }

  replaceMessages(messages: readonly BaseMessage[]): ResultAsync<void, OrchestrationError> {
    return this.#write(() =>
      this.conn.transaction('postgresChatHistory.replaceMessages', async (db) => {
        await db.query(`DELETE FROM ${this.#table} WHERE session_id = $1`, [this.sessionId]);
        await this.#insert(db, messages);
      }),
    );
  }

  clear(): ResultAsync<void, OrchestrationError> {
    return this.#write(() =>
      this.conn.run('postgresChatHistory.clear', async (db) => {
        await db.query(`DELETE FROM ${this.#table} WHERE session_id = $1`, [this.sessionId]);
      }),
    );
  }

  /**
   * Runs this object's writes one at a time, in call order: on a pool, concurrent calls would
   * take different connections and could commit in any order.
   */
  #write(fn: () => ResultAsync<void, OrchestrationError>): ResultAsync<void, OrchestrationError> {
    return new ResultAsync(this.#writes.run(() => Promise.resolve(fn())));
  }

  check(): Promise<HealthReport> {
    return this.conn.check('chat-history:postgres', { schema: this.conn.schema });
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  async #insert(db: Queryable, messages: readonly BaseMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const rows = encodeMessages(messages);
    const values = rows.map((_, i) => `($1, $${i + 2}::jsonb)`).join(', ');
    await db.query(`INSERT INTO ${this.#table} (session_id, message) VALUES ${values}`, [
      this.sessionId,
      ...rows,
    ]);
  }

  #decode(value: unknown, seq: string, op: string): BaseMessage {
    try {
      return decodeMessage(value);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new OrchestrationError(
        'invalid_state',
        `${op}: message ${seq} of session ${JSON.stringify(this.sessionId)} in ${this.#table} at ${this.conn.url} is corrupt (${reason}); delete that row or clear the session`,
        { op, cause, details: { sessionId: this.sessionId, seq } },
      );
    }
  }
}

/**
 * A chat history in PostgreSQL: one row per message in `<schema>.chat_messages` (session id,
 * a sequence number, the LangChain stored message as jsonb), created on first use. Adding
 * several messages is one INSERT; replacing them is one transaction. An unknown session is an
 * empty history. One history object's writes apply in call order. Failures become `dependency_failed` (server down), `timeout` or
 * `invalid_config` naming the URL without its password.
 *
 * @example
 * const result = createPostgresChatHistory('user-42', withPostgresUrl('postgres://postgres@127.0.0.1:5432/app'));
 * if (result.isErr()) throw result.error;
 * const history = result.value;
 * await history.addMessage(new HumanMessage('hi'));
 * await history.close();
 */
export function createPostgresChatHistory(
  sessionId: string,
  ...options: Option<PostgresChatHistoryConfig>[]
): Result<PostgresChatHistory, OrchestrationError> {
  const op = 'createPostgresChatHistory';
  return validateId(sessionId, 'sessionId', op).andThen((id) =>
    resolveOptions(POSTGRES_DEFAULTS, options, schema, op).andThen((config) =>
      openPostgres(config, op).map((conn) => new PostgresHistory(id, conn)),
    ),
  );
}
