import { isOrchestrationError, OrchestrationError, type ErrorCode } from '@baton/core';
import { canceledError } from '@baton/core/authoring';
import { batonErrorOf } from '../baton-error-of.js';
import { originOf } from './to-lang-chain-error.js';

/** LangChain stamps retryability with this registered symbol (`stampRetryable` in core >= 1.x). */
const LC_RETRYABLE = Symbol.for('langchain.errors.retryable');

/** LangChain's documented `lc_error_code`s, mapped to ours. */
const LC_ERROR_CODES: Readonly<Record<string, ErrorCode>> = {
  INVALID_PROMPT_INPUT: 'invalid_input',
  INVALID_TOOL_RESULTS: 'invalid_input',
  MESSAGE_COERCION_FAILURE: 'invalid_input',
  CONTEXT_OVERFLOW: 'invalid_input',
  MODEL_AUTHENTICATION: 'invalid_config',
  MODEL_NOT_FOUND: 'not_found',
  MODEL_RATE_LIMIT: 'rate_limit_exceeded',
  OUTPUT_PARSING_FAILURE: 'execution_failed',
  MODEL_ABORTED: 'task_canceled',
};

/** LangChain's error classes (by `name`, since `instanceof` breaks across copies of core). */
const LC_ERROR_NAMES: Readonly<Record<string, ErrorCode>> = {
  ModelAbortError: 'task_canceled',
  AbortError: 'task_canceled',
  ContextOverflowError: 'invalid_input',
  ModelRefusalError: 'execution_failed',
  OutputParserException: 'execution_failed',
};

function field(error: unknown, key: string): unknown {
  return typeof error === 'object' && error !== null
    ? (error as Record<string, unknown>)[key]
    : undefined;
}

function codeFromStatus(status: unknown): ErrorCode | undefined {
  if (typeof status !== 'number') return undefined;
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 401 || status === 403) return 'invalid_config';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'dependency_failed';
  if (status >= 400) return 'invalid_input';
  return undefined;
}

function retryableOf(error: unknown, code: ErrorCode, known: boolean): boolean | undefined {
  if (typeof error === 'object' && error !== null) {
    const stamped: unknown = Object.getOwnPropertyDescriptor(error, LC_RETRYABLE)?.value;
    if (typeof stamped === 'boolean') return stamped;
  }
  // A provider's 5xx is worth retrying although `dependency_failed` is not by default.
  if (code === 'dependency_failed') return true;
  // LangChain's own error kinds (an `lc_error_code`, OutputParserException...) are about what was
  // sent or received; only a rate limit among them is transient, and it maps to a retryable
  // code. Calling a parser again on the same text fails the same way: not retryable.
  if (known && code === 'execution_failed') return false;
  return undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/**
 * Maps an error thrown by LangChain to an OrchestrationError. An aborted `signal` wins (the run
 * was canceled or timed out, whatever LangChain threw); an OrchestrationError passes unchanged;
 * LangChain's `lc_error_code`, error class and an HTTP `status` pick the code. An error that
 * `toLangChain` threw gives back its Baton error. LangChain's own error kinds that map to
 * `execution_failed` (output parsing, refusals, unknown `lc_error_code`s) are not retryable.
 */
export function mapLangChainError(
  error: unknown,
  op: string,
  signal: AbortSignal,
): OrchestrationError {
  if (signal.aborted) return canceledError(op, signal.reason);
  if (isOrchestrationError(error)) return error;
  // An error toLangChain threw for a Baton run: the run's own OrchestrationError (round trip).
  const baton = batonErrorOf(error);
  if (baton !== undefined && originOf(baton) === error) return baton;
  const lcCode = field(error, 'lc_error_code');
  const name = error instanceof Error ? error.name : undefined;
  const byName = name === undefined ? undefined : LC_ERROR_NAMES[name];
  const code: ErrorCode =
    (typeof lcCode === 'string' ? LC_ERROR_CODES[lcCode] : undefined) ??
    byName ??
    codeFromStatus(field(error, 'status')) ??
    'execution_failed';
  if (code === 'task_canceled') return canceledError(op, error);
  const retryable = retryableOf(error, code, typeof lcCode === 'string' || byName !== undefined);
  const details: Record<string, unknown> = {};
  if (typeof lcCode === 'string') details['lcErrorCode'] = lcCode;
  if (name !== undefined) details['errorName'] = name;
  return new OrchestrationError(code, `${op} failed: ${messageOf(error)}`, {
    op,
    cause: error,
    details,
    ...(retryable === undefined ? {} : { retryable }),
  });
}
