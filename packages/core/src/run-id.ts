let counter = 0;

/** A unique run id (a UUID where `crypto.randomUUID` exists, as in Node and browsers). */
export function newRunId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  counter += 1;
  return `run-${Date.now().toString(36)}-${counter.toString(36)}`;
}
