import { ERROR_CODES, OrchestrationError, isOrchestrationError, type ErrorCode } from '@baton/core';
import { showError } from '@baton/core/authoring';

/** gRPC status codes the Temporal frontend answers with, mapped to ours. */
const GRPC_CODES: Readonly<Record<number, ErrorCode>> = {
  3: 'invalid_input', // INVALID_ARGUMENT
  4: 'timeout', // DEADLINE_EXCEEDED
  5: 'not_found', // NOT_FOUND
  6: 'invalid_state', // ALREADY_EXISTS
  8: 'resource_exhausted', // RESOURCE_EXHAUSTED
  9: 'invalid_state', // FAILED_PRECONDITION
  14: 'dependency_failed', // UNAVAILABLE
};

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** Temporal marks its error classes with `name`; compare that, never `instanceof`. */
function nameOf(value: unknown): string {
  const name = field(value, 'name');
  return typeof name === 'string' ? name : '';
}

function messageOf(value: unknown): string {
  const message = field(value, 'message');
  return typeof message === 'string' && message !== '' ? message : showError(value);
}

/** The chain `value`, `value.cause`, ... (bounded: a cycle must not hang us). */
function causes(value: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let c = value, depth = 0; c !== undefined && c !== null && depth < 16; depth++) {
    chain.push(c);
    c = field(c, 'cause');
  }
  return chain;
}

const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);

/** Our own error, as the worker sent it: an ApplicationFailure whose type is one of our codes. */
function fromApplicationFailure(failure: unknown, op: string, top: unknown): OrchestrationError {
  const type = field(failure, 'type');
  const nonRetryable = field(failure, 'nonRetryable') === true;
  const code = isErrorCode(type) ? type : 'execution_failed';
  const sent = (field(failure, 'details') as unknown[] | undefined)?.[0];
  const details = typeof field(sent, 'details') === 'object' ? field(sent, 'details') : {};
  return new OrchestrationError(code, `${op}: ${messageOf(failure)}`, {
    op,
    cause: top,
    retryable: !nonRetryable,
    details: { ...(details as Record<string, unknown>), temporalType: type },
  });
}

/** A finished execution's failure (the `cause` of a WorkflowFailedError). */
function fromFailure(error: unknown, op: string): OrchestrationError | undefined {
  for (const failure of causes(field(error, 'cause'))) {
    switch (nameOf(failure)) {
      case 'CancelledFailure':
        return new OrchestrationError('task_canceled', `${op}: the workflow was canceled`, {
          op,
          cause: error,
          details: { temporal: 'canceled' },
        });
      case 'TerminatedFailure':
        return new OrchestrationError(
          'task_canceled',
          `${op}: the workflow was terminated (${messageOf(failure)})`,
          { op, cause: error, details: { temporal: 'terminated', reason: messageOf(failure) } },
        );
      case 'TimeoutFailure':
        return new OrchestrationError('timeout', `${op}: ${messageOf(failure)}`, {
          op,
          cause: error,
          details: { temporal: 'timeout', timeoutType: field(failure, 'timeoutType') },
        });
      case 'ApplicationFailure':
        return fromApplicationFailure(failure, op, error);
      default:
        break; // ActivityFailure, ChildWorkflowFailure: look at their cause
    }
  }
  return undefined;
}

/** The gRPC status under `error`: its code and the server's own words (`details`). */
function grpcStatus(error: unknown): { code: number; details: string } | undefined {
  for (const c of causes(error)) {
    const code = field(c, 'code');
    if (typeof code === 'number' && field(c, 'metadata') !== undefined) {
      const details = field(c, 'details');
      return { code, details: typeof details === 'string' ? details : '' };
    }
  }
  return undefined;
}

/**
 * Maps anything the Temporal client threw to an OrchestrationError with the Temporal error as
 * `cause`: WorkflowNotFoundError -> `not_found`, WorkflowExecutionAlreadyStartedError ->
 * `invalid_state` (`details.reason: 'already-started'`), a canceled or terminated execution ->
 * `task_canceled`, a timed out one -> `timeout`, a failure our worker sent -> its own code, an
 * unreachable server -> `dependency_failed`.
 *
 * @example
 * const e = fromTemporalError(error, 'workflow.getResult');
 * if (e.code === 'not_found') console.log('no such workflow');
 */
export function fromTemporalError(
  error: unknown,
  op: string,
  fallback: ErrorCode = 'dependency_failed',
): OrchestrationError {
  if (isOrchestrationError(error)) return error;
  const name = nameOf(error);
  const message = `${op}: ${messageOf(error)}`;
  switch (name) {
    case 'WorkflowNotFoundError':
    case 'NamespaceNotFoundError':
    case 'QueryNotRegisteredError':
      return new OrchestrationError('not_found', message, { op, cause: error, retryable: false });
    case 'WorkflowExecutionAlreadyStartedError':
      return new OrchestrationError('invalid_state', message, {
        op,
        cause: error,
        retryable: false,
        details: { reason: 'already-started', workflowId: field(error, 'workflowId') },
      });
    case 'QueryRejectedError':
      return new OrchestrationError('invalid_state', message, { op, cause: error });
    case 'WorkflowFailedError':
      return (
        fromFailure(error, op) ??
        new OrchestrationError('execution_failed', message, { op, cause: error })
      );
    default:
      break;
  }
  const status = grpcStatus(error);
  if (status === undefined) return new OrchestrationError(fallback, message, { op, cause: error });
  // The client wraps the server's answer ("Failed to start Workflow"): say what the server said.
  const said = status.details !== '' && !message.includes(status.details);
  return new OrchestrationError(
    GRPC_CODES[status.code] ?? 'dependency_failed',
    said ? `${message}: ${status.details}` : message,
    { op, cause: error, details: { grpcCode: status.code } },
  );
}
