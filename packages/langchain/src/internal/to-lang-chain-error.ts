import { isOrchestrationError, type OrchestrationError } from '@baton/core';
import { BATON_ERROR } from '../baton-error-of.js';

function causeOf(error: object): unknown {
  try {
    return (error as { cause?: unknown }).cause;
  } catch {
    return undefined;
  }
}

/**
 * The error the user's code threw or returned that `error` reports: the first cause, through
 * Baton's wrappers (retries, fallbacks, steps), that is not an OrchestrationError. `undefined`
 * when Baton itself found the failure (a timeout, a cancellation, bad options, an open circuit)
 * or the cause is not an object (a thrown string cannot carry `batonError`).
 */
export function originOf(error: OrchestrationError): object | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 32 && isOrchestrationError(current); depth++) {
    current = causeOf(current);
  }
  return (typeof current === 'object' || typeof current === 'function') &&
    current !== null &&
    !isOrchestrationError(current)
    ? current
    : undefined;
}

/**
 * What `toLangChain` throws for a failed run: the user's own error with the OrchestrationError
 * as its non-enumerable `batonError`, or the OrchestrationError when Baton made the failure. An
 * origin that refuses the property (frozen) is still thrown: its identity matters more.
 */
export function toLangChainError(error: OrchestrationError): unknown {
  const origin = originOf(error);
  if (origin === undefined) return error;
  try {
    Object.defineProperty(origin, BATON_ERROR, {
      value: error,
      configurable: true,
      writable: true,
      enumerable: false,
    });
  } catch {
    // frozen or a Proxy that refuses: throw it anyway
  }
  return origin;
}
