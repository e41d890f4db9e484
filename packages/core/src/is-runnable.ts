import type { Runnable } from './runnable.js';

/**
 * A Baton Runnable by shape (any copy of core). LangChain Runnables (`lc_runnable`) have the
 * same method names but another protocol: they are values here (`toLangChain` runs them).
 */
export function isRunnable(value: unknown): value is Runnable {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate['name'] === 'string' &&
    typeof candidate['invoke'] === 'function' &&
    typeof candidate['batch'] === 'function' &&
    typeof candidate['stream'] === 'function' &&
    candidate['lc_runnable'] !== true
  );
}
