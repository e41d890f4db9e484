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

  /**
   * Resets the idle time of those of `ids` still pending on this consumer (XCLAIM JUSTID: no
   * delivery counted), or with `idleMs` sets it. With `uncount`, also takes back the delivery
   * the entry's last claim counted (RETRYCOUNT), so a hand-back is not counted as a delivery.
   * Returns the ids no longer pending on this consumer (taken over, or acknowledged elsewhere).
   */
  async touch(ids: readonly string[], idleMs?: number, uncount = false): Promise<string[]> {
    if (ids.length === 0) return [];
    const { stream, group, consumer } = this;
    const idle = idleMs === undefined ? '' : String(idleMs);
    const lost = await this.client.call(
      'EVAL',
      TOUCH,
      1,
      stream,
      group,
      consumer,
      idle,
      uncount ? '1' : '0',
      ...ids,
    );
    return Array.isArray(lost) ? lost.map(String) : [];
  }

  /**
   * XAUTOCLAIM of entries idle at least `minIdleMs`, with their delivery counts; `deleted` are
   * ids that were pending but are gone from the stream (Redis 7 drops them from the pending list).
   */
  async autoClaim(
    minIdleMs: number,
    cursor: string,
    count: number,
    skip: { has(id: string): boolean },
  ): Promise<{ cursor: string; entries: CountedEntry[]; deleted: string[] }> {
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
    const { deleted } = reply;
    if (taken.length === 0) return { cursor: reply.cursor, entries: [], deleted };
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
      deleted,
    };
  }

  /**
   * XACK, only while the entry is pending on this consumer. Returns `true` when done or already
   * acknowledged elsewhere, or the name of the consumer that took the entry over.
   */
  async ack(id: string): Promise<true | string> {
    return this.#settle(id, 'ack', []);
  }

  /**
   * XADD to the dead-letter stream, then XACK, in one script: a failing XADD (say the dead-letter
   * key holds another type) leaves the entry pending. Only while the entry is pending on this
   * consumer, unless `anyOwner` (ids XAUTOCLAIM reports deleted, already off the pending list).
   */
  async deadLetter(
    entry: CountedEntry,
    failure: OrchestrationError,
    anyOwner = false,
  ): Promise<true | string> {
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
    return this.#settle(entry.id, anyOwner ? 'dead-any' : 'dead', Object.entries(fields).flat());
  }

  async #settle(id: string, mode: string, fields: string[]): Promise<true | string> {
    const { stream, group, consumer } = this;
    const reply: unknown = await this.client.call(
      'EVAL',
      SETTLE,
      2,
      stream,
      this.deadLetterStream,
      group,
      consumer,
      id,
      mode,
      ...fields,
    );
    return typeof reply === 'string' ? reply : true;
  }
}

/**
 * KEYS: stream, dead-letter stream. ARGV: group, consumer, id, mode (ack | dead | dead-any),
 * dead-letter fields... Returns 1 when settled, 0 when no longer pending (acknowledged
 * elsewhere), or the name of the consumer the entry is pending on now. A failing XADD raises
 * before the XACK: nothing is acknowledged.
 */
const SETTLE = `
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if ARGV[4] ~= 'dead-any' then
  if #p == 0 then return 0 end
  if p[1][2] ~= ARGV[2] then return p[1][2] end
end
if ARGV[4] ~= 'ack' then redis.call('XADD', KEYS[2], '*', unpack(ARGV, 5)) end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

/**
 * KEYS: stream. ARGV: group, consumer, idle ms ('' to reset), uncount ('1' | '0'), ids...
 * Re-claims (JUSTID) each id still pending on the consumer; returns the others.
 */
const TOUCH = `
local lost = {}
for i = 5, #ARGV do
  local id = ARGV[i]
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    local args = {'XCLAIM', KEYS[1], ARGV[1], ARGV[2], '0', id}
    if ARGV[3] ~= '' then
      table.insert(args, 'IDLE')
      table.insert(args, ARGV[3])
    end
    if ARGV[4] == '1' then
      table.insert(args, 'RETRYCOUNT')
      table.insert(args, tostring(math.max(0, p[1][4] - 1)))
    end
    table.insert(args, 'JUSTID')
    redis.call(unpack(args))
  else
    table.insert(lost, id)
  end
end
return lost
`;
