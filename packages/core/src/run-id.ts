let counter = 0;

/** A unique run id (a UUID where `crypto.randomUUID` exists, as in Node and browsers). */
export function newRunId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) {
    const id = c.randomUUID();
    // Node builds the UUID by concatenation: a tree of ~14 cons strings (~480 bytes) that every
    // pending run would keep alive through its run id. Reading a character makes V8 flatten it
    // in place into one 36-character string (~60 bytes).
    id.charCodeAt(0);
    return id;
  }
  counter += 1;
  return `run-${Date.now().toString(36)}-${counter.toString(36)}`;
}
