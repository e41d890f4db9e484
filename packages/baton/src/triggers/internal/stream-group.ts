import type { OrchestrationError } from '@baton/core';
import type { RedisConnection } from '@baton/memory/authoring';
import {
  parseAutoClaim,
  parseEntries,
  parsePending,
  type PendingInfo,
  type RawEntry,
} from './stream-replies.js';

/** A read entry with its delivery count. */
export interface CountedEntry extends RawEntry {
  readonly deliveries: number;
}

/**
 * The Redis commands of one consumer of one group, on the main connection. They throw what
 * ioredis throws; the source maps errors (`RedisConnection.run`).
 */
export class StreamGroup {
  constructor(
    private readonly client: RedisConnection['client'],
    readonly stream: string,
    readonly group: string,
    readonly consumer: string,
    readonly deadLetterStream: string,
  ) {}

  /** XGROUP CREATE from the stream's first entry, with MKSTREAM; an existing group is fine. */
  async create(): Promise<void> {
    try {
      await this.client.call('XGROUP', 'CREATE', this.stream, this.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
  }

  /** Up to `count` of this consumer's pending entries from `from` (`-` or `(<id>`). */
  async pending(from: string, count: number): Promise<PendingInfo[]> {
    const { stream, group, consumer } = this;
    return parsePending(
      await this.client.call('XPENDING', stream, group, from, '+', count, consumer),
    );
  }

  /** XCLAIM to this consumer regardless of idle time: returns the entries (a delivery each). */
  async claim(ids: readonly string[]): Promise<RawEntry[]> {
    const { stream, group, consumer } = this;
    return parseEntries(await this.client.call('XCLAIM', stream, group, consumer, 0, ...ids));
  }

  /** XCLAIM JUSTID: resets (or with `idleMs`, sets) the idle time without counting a delivery. */
  async touch(ids: readonly string[], idleMs?: number): Promise<void> {
    const { stream, group, consumer } = this;
    const idle = idleMs === undefined ? [] : ['IDLE', idleMs];
    await this.client.call('XCLAIM', stream, group, consumer, 0, ...ids, ...idle, 'JUSTID');
  }

  /** XAUTOCLAIM of entries idle at least `minIdleMs`, with their delivery counts. */
  async autoClaim(
    minIdleMs: number,
    cursor: string,
    count: number,
    skip: ReadonlySet<string>,
  ): Promise<{ cursor: string; entries: CountedEntry[] }> {
    const { stream, group, consumer } = this;
    const reply = parseAutoClaim(
      await this.client.call(
        'XAUTOCLAIM',
        stream,
        group,
        consumer,
        minIdleMs,
        cursor,
        'COUNT',
        count,
      ),
    );
    const taken = reply.entries.filter((entry) => !skip.has(entry.id));
    if (taken.length === 0) return { cursor: reply.cursor, entries: [] };
    const replies = await this.client
      .pipeline(taken.map((e) => ['xpending', stream, group, e.id, e.id, '1']))
      .exec();
    const counts = (replies ?? []).map(([error, value]) => {
      if (error) throw error;
      return parsePending(value)[0]?.deliveries ?? 1;
    });
    return {
      cursor: reply.cursor,
      entries: taken.map((entry, i) => ({ ...entry, deliveries: counts[i] ?? 1 })),
    };
  }

  async ack(id: string): Promise<void> {
    await this.client.call('XACK', this.stream, this.group, id);
  }

  /** XADD to the dead-letter stream and XACK, in one MULTI. */
  async deadLetter(entry: CountedEntry, failure: OrchestrationError): Promise<void> {
    const pairs = Object.entries(entry.fields ?? {}).flat();
    const fields = {
      id: entry.id,
      stream: this.stream,
      group: this.group,
      consumer: this.consumer,
      deliveries: String(entry.deliveries),
      code: failure.code,
      message: failure.message,
      op: failure.op ?? '',
      fields: JSON.stringify(pairs),
    };
    const replies = await this.client
      .multi()
      .xadd(this.deadLetterStream, '*', ...Object.entries(fields).flat())
      .xack(this.stream, this.group, entry.id)
      .exec();
    const failed = (replies ?? []).find(([error]) => error !== null)?.[0];
    if (failed) throw failed;
  }
}
