/** What {@link trackTimers} reports. */
export interface TimerTracker {
  /**
   * Timers created since tracking began that have neither fired nor been cleared, optionally only
   * those of at least `minDelayMs`.
   */
  pending(minDelayMs?: number): number;
  /** Puts the original `setTimeout` and `clearTimeout` back. */
  restore(): void;
}

type Handle = ReturnType<typeof setTimeout>;

/**
 * Records the timers the code under test creates, so a test can assert that none is left behind.
 * Unlike counting `process.getActiveResourcesInfo()`, it ignores timers made by anything else in
 * the process (other tests, the runner), which keeps such assertions stable on a loaded machine.
 *
 * @example
 * ```ts
 * const timers = trackTimers();
 * try {
 *   await runSomething();
 *   expect(timers.pending()).toBe(0);
 * } finally {
 *   timers.restore();
 * }
 * ```
 */
export function trackTimers(): TimerTracker {
  const originalSet = globalThis.setTimeout;
  const originalClear = globalThis.clearTimeout;
  const live = new Map<Handle, number>();

  const tracked = ((callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
    const handle: Handle = originalSet(
      (...callArgs: unknown[]) => {
        live.delete(handle);
        callback(...callArgs);
      },
      delay,
      ...args,
    );
    live.set(handle, delay ?? 0);
    return handle;
  }) as typeof setTimeout;
  const clear = ((handle: Handle | string | number | undefined) => {
    if (handle !== undefined) {
      for (const key of live.keys()) {
        if (key === handle || Number(key) === Number(handle)) live.delete(key);
      }
    }
    originalClear(handle);
  }) as typeof clearTimeout;

  globalThis.setTimeout = tracked;
  globalThis.clearTimeout = clear;
  return {
    pending: (minDelayMs = 0) => [...live.values()].filter((delay) => delay >= minDelayMs).length,
    restore: () => {
      globalThis.setTimeout = originalSet;
      globalThis.clearTimeout = originalClear;
    },
  };
}
