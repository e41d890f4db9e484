import { OrchestrationError, type Option } from '@baton/core';
import { resolveOptions, sleep } from '@baton/core/authoring';
import type { RedisConnection } from '@baton/memory/authoring';
import { err, ok, type Result } from 'neverthrow';
import type { z } from 'zod';
import { StreamGroup, type CountedEntry } from './internal/stream-group.js';
import { parseReadGroup } from './internal/stream-replies.js';
import {
  decodeJsonPayload,
  redisStreamSourceSchema,
  uniqueConsumerName,
  type RedisStreamSourceConfig,
  type StreamEntryDecoder,
} from './redis-stream-options.js';
import type { TriggerDelivery, TriggerSource } from './trigger-source.js';

/** A {@link TriggerSource} reading a Redis stream as one consumer of a consumer group. */
export interface RedisStreamSource<P = unknown> extends TriggerSource<P> {
  /** The stream's key (with the key prefix). */
  readonly stream: string;
  readonly group: string;
  /** This source's consumer name in the group. */
  readonly consumer: string;
  /** The dead-letter stream's key. */
  readonly deadLetterStream: string;
}

type Outcome<T> = Result<T, OrchestrationError>;

const PAGE = 1000;
/** The smallest `claimIdleMs`: three heartbeats of at least 333 ms each. */
const MIN_CLAIM_IDLE_MS = 1_000;
/** Backoff after a failed dead-letter write, doubled per failure in a row, up to the maximum. */
const BURY_BACKOFF_MS = 100;
const BURY_BACKOFF_MAX_MS = 5_000;

function configError(op: string, message: string, field: string): OrchestrationError {
  return new OrchestrationError('invalid_config', `${op}: ${message}`, { op, details: { field } });
}

function checkUrl(op: string, url: string): OrchestrationError | undefined {
  try {
    const parsed = new URL(url);
    if ((parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') && parsed.hostname !== '') {
      return undefined;
    }
  } catch {
    // reported below, without echoing a password
  }
  return configError(
    op,
    'invalid url: expected redis://[user:password@]host:port[/db] or rediss://...',
    'url',
  );
}

/**
 * A trigger source on a Redis stream, read through the consumer group `group` (created with
 * MKSTREAM from the stream's first entry when missing). Each `pull` takes this consumer's own
 * pending entries back first (after a restart under the same name), then entries idle on other
 * consumers for `claimIdleMs` (XAUTOCLAIM), then new ones (XREADGROUP on a connection of its
 * own, so aborting a blocked read is immediate) — never more than `max`.
 *
 * @example
 * ```ts
 * import { withRedisUrl } from '@baton/memory';
 * const source = redisStreamSource('orders', 'billing', withRedisUrl('redis://127.0.0.1:6379'));
 * ```
 */
export function redisStreamSource<P = unknown>(
  stream: string,
  group: string,
  ...options: Option<RedisStreamSourceConfig<P>>[]
): Result<RedisStreamSource<P>, OrchestrationError> {
  const op = 'redisStreamSource';
  if (typeof stream !== 'string' || stream === '') {
    return err(
      configError(op, `stream = ${JSON.stringify(stream)}: expected a stream key`, 'stream'),
    );
  }
  if (typeof group !== 'string' || group === '') {
    return err(configError(op, `group = ${JSON.stringify(group)}: expected a group name`, 'group'));
  }
  const defaults: RedisStreamSourceConfig<P> = {
    url: 'redis://127.0.0.1:6379',
    client: undefined,
    keyPrefix: '',
    connectTimeoutMs: 2_000,
    commandTimeoutMs: 5_000,
    consumer: uniqueConsumerName(),
    blockMs: 5_000,
    claimIdleMs: 30_000,
    deadLetterStream: undefined,
    maxDeliveries: undefined,
    decode: decodeJsonPayload as StreamEntryDecoder<P>,
  };
  const schema = redisStreamSourceSchema as unknown as z.ZodType<RedisStreamSourceConfig<P>>;
  return resolveOptions(defaults, options, schema, op).andThen((config) => {
    const badUrl = config.client === undefined ? checkUrl(op, config.url) : undefined;
    if (badUrl !== undefined) return err(badUrl);
    if (config.claimIdleMs < MIN_CLAIM_IDLE_MS) {
      return err(
        configError(
          op,
          `claimIdleMs = ${config.claimIdleMs}: expected at least ${MIN_CLAIM_IDLE_MS} ms; a live consumer re-claims its entries every claimIdleMs / 3, so a shorter value lets a pause of the process (GC, a blocked event loop, a slow Redis reply) hand its entries to another consumer while their runs go on`,
          'claimIdleMs',
        ),
      );
    }
    return ok(new StreamSource(stream, group, config));
  });
}

class StreamSource<P> implements RedisStreamSource<P> {
  readonly name: string;
  readonly stream: string;
  readonly consumer: string;
  readonly deadLetterStream: string;
  #main: RedisConnection | undefined;
  #commands: StreamGroup | undefined;
  #blocking: RedisConnection | undefined;
  #groupReady = false;
  /** Whether this consumer's own pending entries may hold some not handed out (start, abort). */
  #recover = true;
  #recoverFrom = '-';
  #claimCursor = '0-0';
  /**
   * Entries handed out and not yet settled, with what aborts their `lost` signal; the heartbeat
   * keeps them from going idle while they are still pending on this consumer.
   */
  readonly #inflight = new Map<string, AbortController>();
  #buryFailures = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #closing = new AbortController();

  constructor(
    stream: string,
    readonly group: string,
    private readonly config: RedisStreamSourceConfig<P>,
  ) {
    this.stream = config.keyPrefix + stream;
    this.consumer = config.consumer;
    this.deadLetterStream = config.keyPrefix + (config.deadLetterStream ?? `${stream}:dead`);
    this.name = `redis-stream:${this.stream}/${group}`;
  }

  pull(max: number, signal: AbortSignal): Promise<Outcome<readonly TriggerDelivery<P>[]>> {
    const op = `${this.name}.pull`;
    if (!Number.isInteger(max) || max < 1) {
      const error = new OrchestrationError(
        'invalid_input',
        `${op}: max = ${String(max)}: expected a positive integer`,
        { op, details: { field: 'max', value: max } },
      );
      return Promise.resolve(err(error));
    }
    if (this.#closing.signal.aborted) return Promise.resolve(err(this.#closedError(op)));
    // One pull at a time: they share the blocking connection and the claim cursors.
    const run = this.#queue.then(() => this.#pull(max, signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #pull(max: number, signal: AbortSignal): Promise<Outcome<TriggerDelivery<P>[]>> {
    const stop = AbortSignal.any([signal, this.#closing.signal]);
    const ready = await this.#ready();
    if (ready.isErr()) return err(ready.error);
    const main = ready.value;
    while (!stop.aborted) {
      const read = await this.#gather(main, max, stop);
      if (read.isErr()) {
        if (/NOGROUP/u.test(read.error.message)) this.#groupReady = false;
        return err(read.error);
      }
      const admitted = await this.#admit(main, read.value);
      if (admitted.isErr()) return err(admitted.error);
      if (admitted.value.length > 0) return ok(admitted.value);
    }
    return ok([]);
  }

  async #ready(): Promise<Outcome<RedisConnection>> {
    if (this.#main === undefined) {
      const { openRedis } = await import('@baton/memory/authoring');
      const opened = openRedis(this.config, this.name);
      if (opened.isErr()) return err(opened.error);
      this.#main = opened.value;
      this.#commands = new StreamGroup(
        opened.value.client,
        this.stream,
        this.group,
        this.consumer,
        this.deadLetterStream,
      );
    }
    const main = this.#main;
    if (this.#groupReady) return ok(main);
    const created = await main.run(`${this.name}.createGroup`, () => this.#redis.create());
    if (created.isErr()) return err(created.error);
    this.#groupReady = true;
    return ok(main);
  }

  /** The commands on the main connection (set by the first pull, before any use). */
  get #redis(): StreamGroup {
    if (this.#commands === undefined) throw new Error('redisStreamSource: not connected');
    return this.#commands;
  }

  /** Own pending entries, then idle ones of others, then (only when none) new ones. */
  async #gather(
    main: RedisConnection,
    max: number,
    stop: AbortSignal,
  ): Promise<Outcome<CountedEntry[]>> {
    const out: CountedEntry[] = [];
    if (this.#recover) {
      const own = await this.#recoverOwn(main, max);
      if (own.isErr()) return own;
      out.push(...own.value);
    }
    if (out.length < max) {
      const claimed = await this.#claimIdle(main, max - out.length);
      if (claimed.isErr()) return claimed;
      out.push(...claimed.value);
    }
    return out.length > 0 ? ok(out) : this.#readNew(main, max, stop);
  }

  async #recoverOwn(main: RedisConnection, max: number): Promise<Outcome<CountedEntry[]>> {
    const count = max + this.#inflight.size;
    const pending = await main.run(`${this.name}.pending`, () =>
      this.#redis.pending(this.#recoverFrom, count),
    );
    if (pending.isErr()) return err(pending.error);
    const lines = pending.value;
    const take = lines.filter((line) => !this.#inflight.has(line.id)).slice(0, max);
    const last = take.length === max ? take[take.length - 1] : lines[lines.length - 1];
    if (lines.length < count && take.length < max) {
      this.#recover = false;
      this.#recoverFrom = '-';
    } else if (last !== undefined) {
      this.#recoverFrom = `(${last.id}`;
    }
    if (take.length === 0) return ok([]);
    const claimed = await main.run(`${this.name}.claim`, () =>
      this.#redis.claim(take.map((line) => line.id)),
    );
    if (claimed.isErr()) return err(claimed.error);
    const counts = new Map(take.map((line) => [line.id, line.deliveries + 1]));
    return ok(claimed.value.map((e) => ({ ...e, deliveries: counts.get(e.id) ?? 1 })));
  }

  async #claimIdle(main: RedisConnection, max: number): Promise<Outcome<CountedEntry[]>> {
    const claimed = await main.run(`${this.name}.autoclaim`, () =>
      this.#redis.autoClaim(this.config.claimIdleMs, this.#claimCursor, max, this.#inflight),
    );
    if (claimed.isErr()) return err(claimed.error);
    this.#claimCursor = claimed.value.cursor;
    for (const id of claimed.value.deleted) {
      // Deleted from the stream while pending: Redis dropped it from the pending list already.
      const gone: CountedEntry = { id, fields: undefined, deliveries: 1 };
      const dead = await this.#bury(main, gone, this.#deletedError(id), true);
      if (dead.isErr()) return err(dead.error);
    }
    return ok(claimed.value.entries);
  }

  async #readNew(
    main: RedisConnection,
    max: number,
    stop: AbortSignal,
  ): Promise<Outcome<CountedEntry[]>> {
    if (stop.aborted) return ok([]);
    if (this.#blocking?.client.status === 'end') this.#blocking = undefined;
    this.#blocking ??= main.duplicate({
      lazyConnect: true,
      commandTimeout: this.config.blockMs + this.config.commandTimeoutMs,
      maxRetriesPerRequest: 1,
      // A lazy connection needs the queue for its first command (a caller's client may have it off).
      enableOfflineQueue: true,
    });
    const blocking = this.#blocking;
    // A disconnect is the one way to end a blocked read at once, whatever the server does.
    const unblock = (): void => blocking.client.disconnect();
    stop.addEventListener('abort', unblock, { once: true });
    try {
      const reply = await blocking.client.call(
        'XREADGROUP',
        'GROUP',
        this.group,
        this.consumer,
        'COUNT',
        max,
        'BLOCK',
        this.config.blockMs,
        'STREAMS',
        this.stream,
        '>',
      );
      if (!stop.aborted) return ok(parseReadGroup(reply).map((e) => ({ ...e, deliveries: 1 })));
      // Read, then aborted (the abort may have disconnected the connection as the reply came):
      // the entries stay pending on this consumer for the next pull, on a new connection.
      this.#recover = true;
      this.#blocking = undefined;
      blocking.client.disconnect();
      return ok([]);
    } catch (error) {
      // The read may have reached the server: whatever it took is in this consumer's pending list.
      this.#recover = true;
      this.#blocking = undefined;
      blocking.client.disconnect();
      return stop.aborted ? ok([]) : err(blocking.error(`${this.name}.read`, error));
    } finally {
      stop.removeEventListener('abort', unblock);
    }
  }

  /**
   * Decodes each entry; bad ones and those over maxDeliveries go to the dead letter first, so a
   * failing dead-letter write leaves the whole batch pending on this consumer (taken back by the
   * next pull) with no delivery handed out.
   */
  async #admit(
    main: RedisConnection,
    entries: CountedEntry[],
  ): Promise<Outcome<TriggerDelivery<P>[]>> {
    const good: { entry: CountedEntry; payload: P }[] = [];
    const bad: { entry: CountedEntry; failure: OrchestrationError }[] = [];
    for (const entry of entries) {
      const rejected = this.#reject(entry);
      if (rejected !== undefined) {
        bad.push({ entry, failure: rejected });
        continue;
      }
      try {
        good.push({
          entry,
          payload: this.config.decode({ id: entry.id, fields: entry.fields ?? {} }),
        });
      } catch (error) {
        const op = `${this.name}.decode`;
        const message = error instanceof Error ? error.message : String(error);
        const failure = new OrchestrationError(
          'invalid_input',
          `${op}: entry ${entry.id}: ${message}`,
          { op, cause: error, details: { id: entry.id } },
        );
        bad.push({ entry, failure });
      }
    }
    for (const { entry, failure } of bad) {
      const dead = await this.#bury(main, entry, failure);
      if (dead.isErr()) {
        this.#recoverAgain();
        return err(dead.error);
      }
    }
    return ok(good.map(({ entry, payload }) => this.#deliver(main, entry, payload)));
  }

  /** The next pull scans this consumer's own pending entries again, from the start. */
  #recoverAgain(): void {
    this.#recover = true;
    this.#recoverFrom = '-';
  }

  #reject(entry: CountedEntry): OrchestrationError | undefined {
    const op = `${this.name}.pull`;
    const max = this.config.maxDeliveries;
    if (max !== undefined && entry.deliveries > max) {
      return new OrchestrationError(
        'max_retries_exceeded',
        `${op}: entry ${entry.id} was delivered ${entry.deliveries} times, more than maxDeliveries = ${max}`,
        { op, details: { id: entry.id, deliveries: entry.deliveries } },
      );
    }
    if (entry.fields === undefined) return this.#deletedError(entry.id);
    return undefined;
  }

  #deletedError(id: string): OrchestrationError {
    const op = `${this.name}.pull`;
    return new OrchestrationError(
      'not_found',
      `${op}: entry ${id} is pending but was deleted from the stream`,
      { op, details: { id } },
    );
  }

  #deliver(main: RedisConnection, entry: CountedEntry, payload: P): TriggerDelivery<P> {
    let settled = false;
    const lost = new AbortController();
    const settle = async (
      how: string,
      fn: () => Promise<true | string | string[]>,
    ): Promise<Outcome<void>> => {
      const op = `${this.name}.${how}`;
      if (lost.signal.aborted) return err(this.#lostError(op, entry.id, lost.signal.reason));
      if (settled) {
        return err(
          new OrchestrationError(
            'invalid_state',
            `${op}: entry ${entry.id} was already acknowledged, released or dead-lettered`,
            { op, details: { id: entry.id } },
          ),
        );
      }
      if (this.#closing.signal.aborted) return err(this.#closedError(op));
      settled = true;
      const done = await main.run(op, fn);
      // Settled or not, the entry leaves the heartbeat: after a failure it is still pending on
      // this consumer, and the next pull takes it back (or, idle, another consumer does).
      this.#inflight.delete(entry.id);
      if (done.isErr()) {
        settled = false;
        this.#recoverAgain();
        return err(done.error);
      }
      const owner = done.value;
      if (typeof owner === 'string' || (Array.isArray(owner) && owner.length > 0)) {
        lost.abort(typeof owner === 'string' ? owner : undefined);
        return err(this.#lostError(op, entry.id, lost.signal.reason));
      }
      return ok(undefined);
    };
    this.#inflight.set(entry.id, lost);
    this.#startHeartbeat(main);
    return {
      event: { id: entry.id, payload, deliveries: entry.deliveries },
      lost: lost.signal,
      ack: () => settle('ack', () => this.#redis.ack(entry.id)),
      release: () => settle('release', () => this.#handBack([entry.id])),
      deadLetter: (failure) => settle('deadLetter', () => this.#redis.deadLetter(entry, failure)),
    };
  }

  /**
   * Leaves entries pending but idle long enough that the next XAUTOCLAIM takes them, without
   * counting the hand-back as a delivery. Returns the ids no longer pending on this consumer.
   */
  #handBack(ids: readonly string[]): Promise<string[]> {
    return this.#redis.touch(ids, this.config.claimIdleMs * 2 + 1_000, true);
  }

  /**
   * Dead-letters an entry this source will not deliver. After a failure, the next pull waits
   * (exponential backoff) before it tries again, rather than retrying every read.
   */
  async #bury(
    main: RedisConnection,
    entry: CountedEntry,
    failure: OrchestrationError,
    anyOwner = false,
  ): Promise<Outcome<void>> {
    if (this.#buryFailures > 0) {
      const wait = Math.min(BURY_BACKOFF_MAX_MS, BURY_BACKOFF_MS * 2 ** (this.#buryFailures - 1));
      await sleep(wait, this.#closing.signal, this.name).catch(() => undefined);
    }
    const done = await main.run(`${this.name}.deadLetter`, () =>
      this.#redis.deadLetter(entry, failure, anyOwner),
    );
    this.#buryFailures = done.isErr() ? this.#buryFailures + 1 : 0;
    return done.map(() => undefined);
  }

  /**
   * Re-claims in-flight entries still pending on this consumer (JUSTID: no delivery counted) so
   * no one takes them over. An entry found on another consumer (this process paused longer than
   * claimIdleMs and someone took it over) is lost: its `lost` signal aborts, and it is not taken
   * back.
   */
  #startHeartbeat(main: RedisConnection): void {
    if (this.#heartbeat !== undefined) return;
    const every = Math.floor(this.config.claimIdleMs / 3);
    this.#heartbeat = setInterval(() => {
      if (this.#inflight.size === 0) {
        clearInterval(this.#heartbeat);
        this.#heartbeat = undefined;
        return;
      }
      const ids = [...this.#inflight.keys()];
      // A failed beat is harmless: the next pull or settle reports the connection's state.
      void main
        .run(`${this.name}.heartbeat`, () => this.#redis.touch(ids))
        .then((beat) => {
          for (const id of beat.unwrapOr([])) {
            const lost = this.#inflight.get(id);
            this.#inflight.delete(id);
            lost?.abort('another consumer');
          }
        });
    }, every);
    this.#heartbeat.unref();
  }

  #lostError(op: string, id: string, owner: unknown): OrchestrationError {
    const who = typeof owner === 'string' ? owner : 'another consumer';
    return new OrchestrationError(
      'invalid_state',
      `${op}: entry ${id} is no longer pending on consumer ${this.consumer} (now: ${who}); this process paused longer than claimIdleMs and the entry was taken over, so its run here must stop without settling it`,
      { op, details: { id, consumer: this.consumer, owner: who } },
    );
  }

  #closedError(op: string): OrchestrationError {
    return new OrchestrationError(
      'invalid_state',
      `${op}: the source is closed; create a new one`,
      { op },
    );
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    await this.#queue.catch(() => undefined);
    const main = this.#main;
    this.#blocking?.client.disconnect();
    this.#blocking = undefined;
    if (main === undefined) return;
    // Hand back every entry still pending on this consumer, so others take them at once.
    let from = '-';
    for (;;) {
      const page = await main.run(`${this.name}.close`, () => this.#redis.pending(from, PAGE));
      const ids = page.isOk() ? page.value.map((line) => line.id) : [];
      if (ids.length > 0) await main.run(`${this.name}.close`, () => this.#handBack(ids));
      if (ids.length < PAGE) break;
      from = `(${ids[ids.length - 1] ?? ''}`;
    }
    this.#inflight.clear();
    await main.close();
  }
}
