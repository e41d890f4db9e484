/** Two lowercase hex digits of each byte value. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  (b + 256).toString(16).slice(1),
);
/** 2^24: the counter is formatted as two 24-bit halves. */
const HALF = 0x1000000;
/** 2^48: the counter's range (the last 12 hex digits of the id). */
const COUNTER_RANGE = HALF * HALF;

let prefix = '';
/** The id's first 34 characters: the prefix and the counter but its last byte. */
let head = '';
let counter = COUNTER_RANGE;

/** 16 random bytes: from Web Crypto where it exists (Node, browsers, Deno, Bun), else Math.random. */
function randomBytes(): Uint8Array {
  const bytes = new Uint8Array(16);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return bytes;
}

/**
 * Draws a new random prefix (the first 80 bits of a version-4 UUID, 74 of them random) and a
 * random start for the counter below it.
 */
function reseed(): void {
  const b = randomBytes();
  b[6] = ((b[6] as number) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] as number) & 0x3f) | 0x80; // RFC 4122 variant
  const h = (i: number): string => HEX[b[i] as number] as string;
  prefix = `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-`;
  // Start anywhere in the first half of the range: at least 2^47 ids before the next reseed.
  const high = ((b[10] as number) & 0x7f) * 0x10000 + (b[11] as number) * 0x100 + (b[12] as number);
  head = '';
  counter =
    high * HALF + (b[13] as number) * 0x10000 + (b[14] as number) * 0x100 + (b[15] as number);
}

/**
 * A unique run id in the format of a version-4 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
 *
 * Perf: `crypto.randomUUID()` (plus flattening the string Node builds by concatenation) was about
 * a third of the fixed cost of an `invoke`. The first 80 bits are drawn at random once per
 * process (74 random bits: two processes share them with probability ~2^-74 per pair); the last
 * 48 bits count up from a random start. Ids are unique within a process and across processes and
 * restarts, but consecutive ids of one process differ only in their tail: a run id is an
 * identifier, not a secret.
 *
 * An id is one concatenation: `head` (shared by 256 consecutive ids, flattened once) and the
 * counter's last byte. V8 keeps it as a two-part cons string (~20 bytes per pending run, less
 * than a flat 36-character string), flattened only if something reads its characters.
 */
export function newRunId(): string {
  counter += 1;
  if (counter >= COUNTER_RANGE) reseed();
  const last = counter % 256;
  if (last === 0 || head === '') {
    const high = Math.floor(counter / HALF);
    const low = counter - high * HALF;
    head =
      prefix +
      (HEX[high >>> 16] as string) +
      (HEX[(high >>> 8) & 0xff] as string) +
      (HEX[high & 0xff] as string) +
      (HEX[low >>> 16] as string) +
      (HEX[(low >>> 8) & 0xff] as string);
    head.charCodeAt(0); // flatten once, not once per id
  }
  return head + (HEX[last] as string);
}
