/** Parsers of the replies of Redis' stream commands (ioredis hands them over as nested arrays). */

/** An entry as read: `fields` is undefined when the entry was deleted from the stream. */
export interface RawEntry {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>> | undefined;
}

/** One line of the extended XPENDING form. */
export interface PendingInfo {
  readonly id: string;
  readonly consumer: string;
  readonly deliveries: number;
}

const text = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : Buffer.isBuffer(value)
      ? value.toString('utf8')
      : String(value);

function fieldsOf(value: unknown): Record<string, string> | undefined {
  if (!Array.isArray(value)) return undefined;
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < value.length; i += 2) fields[text(value[i])] = text(value[i + 1]);
  return fields;
}

/** `[[id, [field, value, ...] | null], ...]`, the entries of XCLAIM, XAUTOCLAIM and XRANGE. */
export function parseEntries(reply: unknown): RawEntry[] {
  if (!Array.isArray(reply)) return [];
  const entries: RawEntry[] = [];
  for (const item of reply) {
    if (!Array.isArray(item) || item.length < 1) continue;
    entries.push({ id: text(item[0]), fields: fieldsOf(item[1]) });
  }
  return entries;
}

/** XREADGROUP on one stream: `[[key, entries]]`, or null when the block timed out. */
export function parseReadGroup(reply: unknown): RawEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const first: unknown = reply[0];
  return Array.isArray(first) ? parseEntries(first[1]) : [];
}

/** XAUTOCLAIM: `[nextCursor, entries, deletedIds]` (the last part since Redis 7). */
export function parseAutoClaim(reply: unknown): {
  cursor: string;
  entries: RawEntry[];
  deleted: string[];
} {
  if (!Array.isArray(reply) || reply.length < 2) return { cursor: '0-0', entries: [], deleted: [] };
  const deleted: unknown = reply[2];
  return {
    cursor: text(reply[0]),
    entries: parseEntries(reply[1]),
    deleted: Array.isArray(deleted) ? deleted.map(text) : [],
  };
}

/** XPENDING key group [IDLE ms] start end count [consumer]: `[[id, consumer, idle, count]]`. */
export function parsePending(reply: unknown): PendingInfo[] {
  if (!Array.isArray(reply)) return [];
  const lines: PendingInfo[] = [];
  for (const item of reply) {
    if (!Array.isArray(item) || item.length < 4) continue;
    lines.push({ id: text(item[0]), consumer: text(item[1]), deliveries: Number(item[3]) });
  }
  return lines;
}
