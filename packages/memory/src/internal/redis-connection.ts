import {
  isOrchestrationError,
  OrchestrationError,
  type ErrorCode,
  type HealthReport,
} from '@baton/core';
import { healthReport } from '@baton/core/authoring';
import { Redis, type RedisOptions } from 'ioredis';
import { err, ok, type Result, type ResultAsync } from 'neverthrow';
import type { RedisConfig } from '../redis-options.js';
import { attempt } from './attempt.js';
import { bounded } from './bounded.js';
import { redactUrl, scrubSecrets, secretsOf } from './redact-url.js';

/** A client plus what is needed to report its failures without leaking the password. */
export interface RedisConnection {
  readonly client: Redis;
  /** The URL with the password replaced by `***`. */
  readonly url: string;
  /** Maps anything ioredis threw to an OrchestrationError naming the (redacted) URL. */
  error(op: string, error: unknown): OrchestrationError;
  /**
   * Runs one operation of a backend: never rejects, maps failures with `error`, and bounds a
   * given client's operation by the command timeout (an owned client bounds each command itself).
   */
  run<T>(op: string, fn: () => Promise<T>): ResultAsync<T, OrchestrationError>;
  /** PING bounded by the command timeout; never rejects. */
  check(component: string, details: Readonly<Record<string, unknown>>): Promise<HealthReport>;
  /**
   * A second connection to the same server (ioredis `duplicate()` with `overrides`), owned and
   * closed by the returned connection whoever owns this one; for blocking commands, which hold
   * their connection until they return.
   */
  duplicate(overrides: RedisOptions): RedisConnection;
  /** Closes the client when this connection opened it; idempotent. */
  close(): Promise<void>;
}

const UNREACHABLE =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE|max retries per request|Connection is closed|Stream isn't writeable/iu;
const CREDENTIALS = /NOAUTH|WRONGPASS|invalid password|invalid username-password|NOPERM/iu;

function classify(message: string): ErrorCode {
  if (CREDENTIALS.test(message)) return 'invalid_config';
  if (/Command timed out/iu.test(message)) return 'timeout';
  if (UNREACHABLE.test(message)) return 'dependency_failed';
  return 'execution_failed';
}

class Connection implements RedisConnection {
  readonly url: string;
  #lastError: string | undefined;
  #closed = false;

  constructor(
    readonly client: Redis,
    rawUrl: string,
    private readonly secrets: readonly string[],
    private readonly owned: boolean,
    private readonly commandTimeoutMs: number,
  ) {
    this.url = redactUrl(rawUrl);
    // Keeps the reason of the last failed connection attempt (ioredis reports a generic
    // "max retries" to the command); also stops ioredis printing unhandled error events.
    if (owned) client.on('error', (error: unknown) => (this.#lastError = this.#scrub(error)));
  }

  error(op: string, error: unknown): OrchestrationError {
    if (isOrchestrationError(error)) return error;
    const message = this.#scrub(error);
    let code = classify(message);
    let reason = message;
    // A command that failed for want of a connection: the connection's own error says why.
    const lastError = this.#lastError;
    if (
      (code === 'dependency_failed' || code === 'timeout') &&
      lastError !== undefined &&
      this.client.status !== 'ready'
    ) {
      reason = lastError;
      code = CREDENTIALS.test(lastError) ? 'invalid_config' : 'dependency_failed';
    }
    const cause = new Error(message);
    cause.name = error instanceof Error ? error.name : 'Error';
    return new OrchestrationError(code, `${op}: ${this.#describe(code, reason)}`, {
      op,
      cause,
      // An outage is worth retrying; refused credentials are not.
      retryable: code !== 'invalid_config',
      details: { url: this.url },
    });
  }

  #describe(code: ErrorCode, reason: string): string {
    switch (code) {
      case 'dependency_failed':
        return `Redis at ${this.url} is unreachable (${reason}); check that Redis runs there and that the URL is right`;
      case 'timeout':
        return `Redis at ${this.url} did not answer within ${this.commandTimeoutMs} ms (${reason}); check the server or raise withRedisCommandTimeoutMs`;
      case 'invalid_config':
        return `Redis at ${this.url} refused the credentials (${reason}); check the user and password in the URL`;
      default:
        return `Redis at ${this.url} failed: ${reason}`;
    }
  }

  async check(
    component: string,
    details: Readonly<Record<string, unknown>>,
  ): Promise<HealthReport> {
    const started = performance.now();
    try {
      await this.#bounded(() => this.client.ping());
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      return healthReport(component, 'healthy', { ...details, url: this.url, latencyMs });
    } catch (error) {
      const mapped = this.error(`${component}.check`, error);
      return healthReport(component, 'unhealthy', {
        ...details,
        url: this.url,
        code: mapped.code,
        error: mapped.message,
      });
    }
  }

  run<T>(op: string, fn: () => Promise<T>): ResultAsync<T, OrchestrationError> {
    // A given client may have no command timeout (ioredis' default): a hung server would hang
    // the call forever, so the whole operation gets the deadline.
    return attempt(
      () => (this.owned ? fn() : this.#bounded(fn)),
      (error) => this.error(op, error),
    );
  }

  #bounded<T>(fn: () => Promise<T>): Promise<T> {
    return bounded(fn, this.commandTimeoutMs, 'Command timed out');
  }

  duplicate(overrides: RedisOptions): RedisConnection {
    const copy = new Connection(
      this.client.duplicate(overrides),
      this.url,
      this.secrets,
      true,
      overrides.commandTimeout ?? this.commandTimeoutMs,
    );
    return copy;
  }

  async close(): Promise<void> {
    if (!this.owned || this.#closed) return;
    this.#closed = true;
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    this.client.disconnect();
  }

  #scrub(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return scrubSecrets(message, this.secrets);
  }
}

function invalidUrl(op: string, url: string): OrchestrationError {
  return new OrchestrationError(
    'invalid_config',
    `${op}: invalid url = ${JSON.stringify(redactUrl(url))}: expected redis://[user:password@]host:port[/db] or rediss://...`,
    { op, details: { field: 'url', value: redactUrl(url) } },
  );
}

/** Opens (lazily: nothing connects before the first command) or adopts a client. */
export function openRedis(
  config: Pick<RedisConfig, 'url' | 'client' | 'connectTimeoutMs' | 'commandTimeoutMs'>,
  op: string,
): Result<RedisConnection, OrchestrationError> {
  const secrets = secretsOf(config.url);
  if (config.client !== undefined) {
    const options = config.client.options;
    const url = `redis://${options.host ?? '127.0.0.1'}:${options.port ?? 6379}/${options.db ?? 0}`;
    return ok(new Connection(config.client, url, secrets, false, config.commandTimeoutMs));
  }
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch {
    return err(invalidUrl(op, config.url));
  }
  if ((parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '') {
    return err(invalidUrl(op, config.url));
  }
  try {
    const client = new Redis(config.url, {
      lazyConnect: true,
      connectTimeout: config.connectTimeoutMs,
      commandTimeout: config.commandTimeoutMs,
      // One reconnect per command: a command fails fast when Redis is down, while the client
      // keeps reconnecting in the background so it recovers when Redis comes back.
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => Math.min(times * 100, 2_000),
    });
    return ok(new Connection(client, config.url, secrets, true, config.commandTimeoutMs));
  } catch {
    return err(invalidUrl(op, config.url));
  }
}
