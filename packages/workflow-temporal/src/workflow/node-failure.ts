import type { WireError } from './graph-wire.js';

const CODES = new Set([
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
]);

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function text(value: unknown): string {
  const message = field(value, 'message');
  return typeof message === 'string' ? message : String(value);
}

/** The failure at the end of an activity failure's cause chain that says what happened. */
function rootCause(error: unknown): unknown {
  let c = error;
  for (let depth = 0; depth < 8; depth++) {
    const name = field(c, 'name');
    if (name !== 'ActivityFailure') return c;
    const next = field(c, 'cause');
    if (next === undefined || next === null) return c;
    c = next;
  }
  return c;
}

/**
 * A node's activity failure as the error the in-process executor would record: the code the
 * runnable's error had (sent as the ApplicationFailure type), a Temporal timeout as `timeout`,
 * and attempts that ran out as `max_retries_exceeded` with the last error's message.
 */
export function nodeFailure(error: unknown, node: string, attempts: number): WireError {
  const cause = rootCause(error);
  const name = field(cause, 'name');
  let base: WireError;
  if (name === 'ApplicationFailure') {
    const type = field(cause, 'type');
    const sent = (field(cause, 'details') as unknown[] | undefined)?.[0];
    const details = field(sent, 'details');
    base = {
      code: typeof type === 'string' && CODES.has(type) ? type : 'execution_failed',
      message: text(cause),
      retryable: field(cause, 'nonRetryable') !== true,
      ...(typeof details === 'object' && details !== null
        ? { details: details as Record<string, unknown> }
        : {}),
    };
  } else if (name === 'TimeoutFailure') {
    base = {
      code: 'timeout',
      message: `${node}: ${text(cause)}`,
      retryable: true,
      details: { timeoutType: field(cause, 'timeoutType') },
    };
  } else {
    base = { code: 'execution_failed', message: `${node}: ${text(cause)}`, retryable: true };
  }
  if (field(error, 'retryState') === 'MAXIMUM_ATTEMPTS_REACHED' && attempts > 1) {
    return {
      code: 'max_retries_exceeded',
      message: `${node} failed after ${attempts} attempts; last error: ${base.message}`,
      retryable: false,
      details: { attempts, lastCode: base.code },
    };
  }
  return base;
}

/** A node that did not run because of `dependency`'s failure (as in-process). */
export function dependencyFailure(
  graph: string,
  node: string,
  dependency: string,
  root: string,
  rootError: WireError,
  required: boolean,
): WireError {
  const via = root === dependency ? '' : ` (because "${root}" failed)`;
  const why = required
    ? `its required dependency "${dependency}" failed`
    : `none of its dependencies succeeded and "${dependency}" failed`;
  return {
    code: 'dependency_failed',
    message: `${graph}: node "${node}" did not run: ${why}${via}: ${rootError.message}`,
    retryable: false,
    details: { node, dependency, root },
  };
}
