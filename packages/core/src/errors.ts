/**
 * The one error type of Baton. Compare `code`, never `instanceof` (Temporal's workflow sandbox
 * loads modules twice, which breaks `instanceof`).
 */

import { showError } from './show-value.js';

/** Every error code Baton uses (Beluga's full set). */
export const ERROR_CODES = [
  'invalid_config',
  'invalid_input',
  'execution_failed',
  'timeout',
  'dependency_failed',
  'resource_exhausted',
  'invalid_state',
  'not_found',
  'circuit_breaker_open',
  'rate_limit_exceeded',
  'workflow_deadlock',
  'task_canceled',
  'max_retries_exceeded',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes worth retrying when nothing more specific is known. */
const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'execution_failed',
  'timeout',
  'resource_exhausted',
  'rate_limit_exceeded',
]);

export interface OrchestrationErrorOptions {
  /** The operation that failed, e.g. `chain.invoke` or the step name. */
  readonly op?: string;
  /** Overrides the code's default retryability. */
  readonly retryable?: boolean;
  readonly cause?: unknown;
  readonly details?: Readonly<Record<string, unknown>>;
}

const BRAND = Symbol.for('baton.OrchestrationError');

export class OrchestrationError extends Error {
  readonly code: ErrorCode;
  readonly op: string;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;
  declare readonly cause: unknown;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, options: OrchestrationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OrchestrationError';
    this.code = code;
    this.op = options.op ?? '';
    this.retryable = options.retryable ?? RETRYABLE_CODES.has(code);
    this.details = options.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      op: this.op,
      message: this.message,
      retryable: this.retryable,
      details: this.details,
      cause:
        this.cause instanceof Error
          ? { name: this.cause.name, message: this.cause.message }
          : this.cause,
    };
  }
}

/** True for an OrchestrationError, also one created by another copy of this module. */
export function isOrchestrationError(value: unknown): value is OrchestrationError {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return (
      (value as Record<symbol, unknown>)[BRAND] === true ||
      (value instanceof Error &&
        value.name === 'OrchestrationError' &&
        typeof (value as { code?: unknown }).code === 'string')
    );
  } catch {
    // A Proxy or a throwing getter: whatever it is, it is not one of ours.
    return false;
  }
}

/** True when `value` is an abort: a `task_canceled` error or a DOM `AbortError`. */
export function isCancellation(value: unknown): boolean {
  if (isOrchestrationError(value)) return value.code === 'task_canceled';
  return isAbortError(value);
}

function isAbortError(value: unknown): boolean {
  try {
    return value instanceof Error && value.name === 'AbortError';
  } catch {
    return false;
  }
}

function causeOf(value: unknown): unknown {
  try {
    return value instanceof Error ? value.cause : undefined;
  } catch {
    return undefined;
  }
}

const PROGRAMMING_ERRORS: ReadonlySet<string> = new Set([
  'TypeError',
  'ReferenceError',
  'SyntaxError',
  'RangeError',
]);

/**
 * True for an error that signals a bug in the code that threw it (`TypeError`, `ReferenceError`,
 * `SyntaxError`, `RangeError`): running the same code again gives the same error. A `TypeError`
 * whose cause carries a system error code (Node's `fetch failed` with `ECONNRESET`) is a network
 * failure, not a bug.
 */
function isProgrammingError(value: unknown): boolean {
  try {
    if (typeof value !== 'object' || value === null) return false;
    const { name, cause } = value as { name?: unknown; cause?: unknown };
    if (typeof name !== 'string' || !PROGRAMMING_ERRORS.has(name)) return false;
    return !(
      typeof cause === 'object' &&
      cause !== null &&
      typeof (cause as { code?: unknown }).code === 'string'
    );
  } catch {
    return false;
  }
}

/**
 * Whether retrying could help. Walks the cause chain: a cancellation anywhere means no; the first
 * error carrying an explicit `retryable` flag decides; a programming error (`TypeError`,
 * `ReferenceError`, `SyntaxError`, `RangeError`) means no; any other error is assumed transient.
 */
export function isRetryable(error: unknown): boolean {
  let current: unknown = error;
  let decided: boolean | undefined;
  for (let depth = 0; current !== undefined && current !== null && depth < 32; depth++) {
    if (isCancellation(current)) return false;
    if (decided === undefined && typeof current === 'object') {
      const flag = retryableFlag(current);
      if (typeof flag === 'boolean') decided = flag;
      else if (isProgrammingError(current)) decided = false;
    }
    current = causeOf(current);
  }
  return decided ?? true;
}

function retryableFlag(value: object): unknown {
  try {
    return (value as { retryable?: unknown }).retryable;
  } catch {
    return undefined;
  }
}

/**
 * Maps anything thrown or returned as an error to an OrchestrationError. An OrchestrationError is
 * returned unchanged; an abort becomes `task_canceled`; anything else becomes `code` (default
 * `execution_failed`) with the original as `cause`. A programming error (`TypeError`,
 * `ReferenceError`, `SyntaxError`, `RangeError`) gives `retryable: false`, so retry policies do
 * not run a bug again; a policy's own `retryOn` can still choose to.
 */
export function toOrchestrationError(
  value: unknown,
  op = '',
  code: ErrorCode = 'execution_failed',
): OrchestrationError {
  if (isOrchestrationError(value)) return value;
  if (isAbortError(value)) {
    return new OrchestrationError('task_canceled', `${op || 'run'} was canceled`, {
      op,
      cause: value,
    });
  }
  const prefix = op ? `${op} failed: ` : '';
  return new OrchestrationError(code, `${prefix}${showError(value)}`, {
    op,
    cause: value,
    ...(isProgrammingError(value) ? { retryable: false } : {}),
  });
}

/** The error a run reports when its AbortSignal fired. Keeps a reason that already is one. */
export function canceledError(op: string, reason?: unknown): OrchestrationError {
  if (isOrchestrationError(reason)) return reason;
  return new OrchestrationError('task_canceled', `${op || 'run'} was canceled`, {
    op,
    ...(reason === undefined ? {} : { cause: reason }),
  });
}
