import { OrchestrationError, type Option } from '@baton/core';
import { resolveOptions } from '@baton/core/authoring';
import type { RedisConnection } from '@baton/memory/authoring';
import { err, ok, type Result } from 'neverthrow';
import type { z } from 'zod';
import {
  parseAutoClaim,
  parseEntries,
  parsePending,
  parseReadGroup,
  type RawEntry,
} from './internal/stream-replies.js';
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

/** A read entry with its delivery count. */
interface Counted extends RawEntry {
  readonly deliveries: number;
}

type Outcome<T> = Result<T, OrchestrationError>;

const PAGE = 1000;

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
    return badUrl === undefined ? ok(new StreamSource(stream, group, config)) : err(badUrl);
  });
}

class StreamSource<P> implements RedisStreamSource<P> {
  readonly name: string;
  readonly stream: string;
  readonly consumer: string;
  readonly deadLetterStream: string;
  #main: RedisConnection | undefined;
  #blocking: RedisConnection | undefined;
  #groupReady = false;
  /** Whether this consumer's own pending entries may hold some not handed out (start, abort). */
  #recover = true;
  #recoverFrom = '-';
  #claimCursor = '0-0';
  /** Entries handed out and not yet settled; the heartbeat keeps them from going idle. */
  readonly #inflight = new Set<string>();
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
    }
    const main = this.#main;
    if (this.#groupReady) return ok(main);
    const created = await main.run(`${this.name}.createGroup`, async () => {
      try {
        await main.client.call('XGROUP', 'CREATE', this.stream, this.group, '0', 'MKSTREAM');
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
      }
    });
    if (created.isErr()) return err(created.error);
    this.#groupReady = true;
    return ok(main);
  }

  /** Own pending entries, then idle ones of others, then (only when none) new ones. */
  async #gather(
    main: RedisConnection,
    max: number,
    stop: AbortSignal,
  ): Promise<Outcome<Counted[]>> {
    const out: Counted[] = [];
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

  async #recoverOwn(main: RedisConnection, max: number): Promise<Outcome<Counted[]>> {
    const count = max + this.#inflight.size;
    const pending = await main.run(`${this.name}.pending`, () =>
      main.client.call(
        'XPENDING',
        this.stream,
        this.group,
        this.#recoverFrom,
        '+',
        count,
        this.consumer,
      ),
    );
    if (pending.isErr()) return err(pending.error);
    const lines = parsePending(pending.value);
    const take = lines.filter((line) => !this.#inflight.has(line.id)).slice(0, max);
    const last = take.length === max ? take[take.length - 1] : lines[lines.length - 1];
    if (lines.length < count && take.length < max) {
      this.#recover = false;
      this.#recoverFrom = '-';
    } else if (last !== undefined) {
      this.#recoverFrom = `(${last.id}`;
    }
    if (take.length === 0) return ok([]);
    const ids = take.map((line) => line.id);
    const claimed = await main.run(`${this.name}.claim`, () =>
      main.client.call('XCLAIM', this.stream, this.group, this.consumer, 0, ...ids),
    );
    if (claimed.isErr()) return err(claimed.error);
    const counts = new Map(take.map((line) => [line.id, line.deliveries + 1]));
    return ok(
      parseEntries(claimed.value).map((e) => ({ ...e, deliveries: counts.get(e.id) ?? 1 })),
    );
  }

  async #claimIdle(main: RedisConnection, max: number): Promise<Outcome<Counted[]>> {
    const reply = await main.run(`${this.name}.autoclaim`, () =>
      main.client.call(
        'XAUTOCLAIM',
        this.stream,
        this.group,
        this.consumer,
        this.config.claimIdleMs,
        this.#claimCursor,
        'COUNT',
        max,
      ),
    );
    if (reply.isErr()) return err(reply.error);
    const { cursor, entries } = parseAutoClaim(reply.value);
    this.#claimCursor = cursor;
    const taken = entries.filter((entry) => !this.#inflight.has(entry.id));
    if (taken.length === 0) return ok([]);
    const counts = await main.run(`${this.name}.pending`, async () => {
      const replies = await main.client
        .pipeline(taken.map((e) => ['xpending', this.stream, this.group, e.id, e.id, '1']))
        .exec();
      return (replies ?? []).map(([error, value]) => {
        if (error) throw error;
        return parsePending(value)[0]?.deliveries ?? 1;
      });
    });
    if (counts.isErr()) return err(counts.error);
    return ok(taken.map((entry, i) => ({ ...entry, deliveries: counts.value[i] ?? 1 })));
  }

  async #readNew(
    main: RedisConnection,
    max: number,
    stop: AbortSignal,
  ): Promise<Outcome<Counted[]>> {
    if (stop.aborted) return ok([]);
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
      // Read, then aborted: the entries stay pending on this consumer for the next pull.
      this.#recover = true;
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

  /** Decodes each entry; bad ones and those over maxDeliveries go to the dead letter. */
  async #admit(main: RedisConnection, entries: Counted[]): Promise<Outcome<TriggerDelivery<P>[]>> {
    const deliveries: TriggerDelivery<P>[] = [];
    for (const entry of entries) {
      const rejected = this.#reject(entry);
      if (rejected !== undefined) {
        const dead = await this.#bury(main, entry, rejected);
        if (dead.isErr()) return err(dead.error);
        continue;
      }
      let payload: P;
      try {
        payload = this.config.decode({ id: entry.id, fields: entry.fields ?? {} });
      } catch (error) {
        const op = `${this.name}.decode`;
        const message = error instanceof Error ? error.message : String(error);
        const bad = new OrchestrationError(
          'invalid_input',
          `${op}: entry ${entry.id}: ${message}`,
          {
            op,
            cause: error,
            details: { id: entry.id },
          },
        );
        const dead = await this.#bury(main, entry, bad);
        if (dead.isErr()) return err(dead.error);
        continue;
      }
      deliveries.push(this.#deliver(main, entry, payload));
    }
    return ok(deliveries);
  }

  #reject(entry: Counted): OrchestrationError | undefined {
    const op = `${this.name}.pull`;
    const max = this.config.maxDeliveries;
    if (max !== undefined && entry.deliveries > max) {
      return new OrchestrationError(
        'max_retries_exceeded',
        `${op}: entry ${entry.id} was delivered ${entry.deliveries} times, more than maxDeliveries = ${max}`,
        { op, details: { id: entry.id, deliveries: entry.deliveries } },
      );
    }
    if (entry.fields === undefined) {
      return new OrchestrationError(
        'not_found',
        `${op}: entry ${entry.id} is pending but was deleted from the stream`,
        {
          op,
          details: { id: entry.id },
        },
      );
    }
    return undefined;
  }

  #deliver(main: RedisConnection, entry: Counted, payload: P): TriggerDelivery<P> {
    let settled = false;
    const settle = async (how: string, fn: () => Promise<unknown>): Promise<Outcome<void>> => {
      const op = `${this.name}.${how}`;
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
      if (done.isErr()) {
        settled = false;
        return err(done.error);
      }
      this.#inflight.delete(entry.id);
      return ok(undefined);
    };
    this.#inflight.add(entry.id);
    this.#startHeartbeat(main);
    return {
      event: { id: entry.id, payload, deliveries: entry.deliveries },
      ack: () => settle('ack', () => main.client.call('XACK', this.stream, this.group, entry.id)),
      release: () => settle('release', () => this.#handBack(main, [entry.id])),
      deadLetter: (failure) => settle('deadLetter', () => this.#deadLetterOp(main, entry, failure)),
    };
  }

  /** Leaves entries pending but idle long enough that the next XAUTOCLAIM takes them. */
  #handBack(main: RedisConnection, ids: readonly string[]): Promise<unknown> {
    const idle = this.config.claimIdleMs * 2 + 1_000;
    return main.client.call(
      'XCLAIM',
      this.stream,
      this.group,
      this.consumer,
      0,
      ...ids,
      'IDLE',
      idle,
      'JUSTID',
    );
  }

  async #deadLetterOp(
    main: RedisConnection,
    entry: Counted,
    failure: OrchestrationError,
  ): Promise<void> {
    const pairs = Object.entries(entry.fields ?? {}).flat();
    const replies = await main.client
      .multi()
      .xadd(
        this.deadLetterStream,
        '*',
        'id',
        entry.id,
        'stream',
        this.stream,
        'group',
        this.group,
        'consumer',
        this.consumer,
        'deliveries',
        String(entry.deliveries),
        'code',
        failure.code,
        'message',
        failure.message,
        'op',
        failure.op ?? '',
        'fields',
        JSON.stringify(pairs),
      )
      .xack(this.stream, this.group, entry.id)
      .exec();
    const failed = (replies ?? []).find(([error]) => error !== null)?.[0];
    if (failed) throw failed;
  }

  async #bury(
    main: RedisConnection,
    entry: Counted,
    failure: OrchestrationError,
  ): Promise<Outcome<void>> {
    return await main.run(`${this.name}.deadLetter`, () =>
      this.#deadLetterOp(main, entry, failure),
    );
  }

  /** Re-claims in-flight entries (JUSTID: no delivery counted) so no one takes them over. */
  #startHeartbeat(main: RedisConnection): void {
    if (this.#heartbeat !== undefined) return;
    const every = Math.max(10, Math.floor(this.config.claimIdleMs / 3));
    this.#heartbeat = setInterval(() => {
      if (this.#inflight.size === 0) {
        clearInterval(this.#heartbeat);
        this.#heartbeat = undefined;
        return;
      }
      const ids = [...this.#inflight];
      // A failed beat is harmless: the next pull or settle reports the connection's state.
      void main.run(`${this.name}.heartbeat`, () =>
        main.client.call('XCLAIM', this.stream, this.group, this.consumer, 0, ...ids, 'JUSTID'),
      );
    }, every);
    this.#heartbeat.unref();
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
    await this.#queue;
    const main = this.#main;
    this.#blocking?.client.disconnect();
    this.#blocking = undefined;
    if (main === undefined) return;
    // Hand back every entry still pending on this consumer, so others take them at once.
    let from = '-';
    for (;;) {
      const page = await main.run(`${this.name}.close`, () =>
        main.client.call('XPENDING', this.stream, this.group, from, '+', PAGE, this.consumer),
      );
      const ids = page.isOk() ? parsePending(page.value).map((line) => line.id) : [];
      if (ids.length > 0) await main.run(`${this.name}.close`, () => this.#handBack(main, ids));
      if (ids.length < PAGE) break;
      from = `(${ids[ids.length - 1] ?? ''}`;
    }
    this.#inflight.clear();
    await main.close();
  }
}
