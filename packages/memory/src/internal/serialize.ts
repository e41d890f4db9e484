const queues = new Map<string, Promise<void>>();

/**
 * Runs `fn` after every earlier call with the same `key` has settled (a per-file lock within this
 * process), so appends, rewrites and reads of one file never interleave.
 */
export function serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(fn);
  const tail = next.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return next;
}

/** Runs calls one at a time, in call order (for read-modify-write sequences of one object). */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn);
    this.#tail = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }
}
