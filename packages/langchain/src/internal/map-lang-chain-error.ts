import { isOrchestrationError, OrchestrationError, type ErrorCode } from '@baton/core';
import { canceledError } from '@baton/core/authoring';

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

function retryableOf(error: unknown, code: ErrorCode): boolean | undefined {
  if (typeof error === 'object' && error !== null) {
    const stamped: unknown = Object.getOwnPropertyDescriptor(error, LC_RETRYABLE)?.value;
    if (typeof stamped === 'boolean') return stamped;
  }
  // A provider's 5xx is worth retrying although `dependency_failed` is not by default.
  if (code === 'dependency_failed') return true;
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
 * LangChain's `lc_error_code`, error class and an HTTP `status` pick the code.
 */
export function mapLangChainError(
  error: unknown,
  op: string,
  signal: AbortSignal,
): OrchestrationError {
  if (signal.aborted) return canceledError(op, signal.reason);
  if (isOrchestrationError(error)) return error;
  const lcCode = field(error, 'lc_error_code');
  const name = error instanceof Error ? error.name : undefined;
  const code: ErrorCode =
    (typeof lcCode === 'string' ? LC_ERROR_CODES[lcCode] : undefined) ??
    (name === undefined ? undefined : LC_ERROR_NAMES[name]) ??
    codeFromStatus(field(error, 'status')) ??
    'execution_failed';
  if (code === 'task_canceled') return canceledError(op, error);
  const retryable = retryableOf(error, code);
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
