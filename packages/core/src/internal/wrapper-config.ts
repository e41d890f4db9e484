import type { Result } from 'neverthrow';
import { OrchestrationError } from '../errors.js';
import type { Option } from '../options.js';
import type { Runnable } from '../runnable.js';
import { showError, showValue } from '../show-value.js';

/** True for anything with the shape of a Runnable (a name and invoke/stream methods). */
function isRunnableLike(value: unknown): value is Runnable {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<Record<'name' | 'invoke' | 'stream', unknown>>;
  try {
    return (
      typeof r.name === 'string' && typeof r.invoke === 'function' && typeof r.stream === 'function'
    );
  } catch {
    // Its getters throw (a Proxy): not something a wrapper can call.
    return false;
  }
}

/**
 * Checks that a wrapper was given a Runnable; a wrong argument is a programmer error, thrown at
 * construction as `invalid_config` naming the argument.
 */
export function requireRunnable(value: unknown, op: string, field: string): void {
  if (!isRunnableLike(value)) {
    throw new OrchestrationError(
      'invalid_config',
      `${op}: ${field} must be a Runnable; wrap functions with runnable(name, fn)`,
      { op, details: { field } },
    );
  }
}

/** Returns the validated config of a wrapper, or throws its `invalid_config` error. */
export function unwrapConfig<T>(result: Result<T, OrchestrationError>): T {
  if (result.isErr()) throw result.error;
  return result.value;
}

/**
 * An option that copies the defined fields of a plain overrides object onto the draft, so that
 * wrappers taking `Partial<Config>` validate through `resolveOptions` like every other config.
 */
export function fromOverrides<C extends object>(overrides: Partial<C> | undefined): Option<C> {
  return (draft) => {
    if (overrides !== undefined && (typeof overrides !== 'object' || overrides === null)) {
      throw new TypeError(`expected an object of settings, got ${showValue(overrides)}`);
    }
    for (const [key, value] of Object.entries(overrides ?? {})) {
      if (value !== undefined) (draft as Record<string, unknown>)[key] = value;
    }
  };
}

/**
 * Returns a plain copy of a wrapper's settings object (`{}` for `undefined`), read once, so that
 * later checks cannot trip over getters; anything else is a programmer error, thrown as
 * `invalid_config` naming `field`.
 */
export function readSettings<T extends object>(value: T | undefined, op: string, field: string): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null) {
    throw new OrchestrationError(
      'invalid_config',
      `${op}: ${field} must be an object of settings, got ${showValue(value)}`,
      { op, details: { field, value } },
    );
  }
  try {
    return { ...value };
  } catch (cause) {
    throw new OrchestrationError(
      'invalid_config',
      `${op}: ${field} could not be read (${showError(cause)}); pass a plain object`,
      { op, cause, details: { field } },
    );
  }
}

/** Node's setTimeout fires at once for delays above this (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;
