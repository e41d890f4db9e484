import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  OrchestrationError,
  canceledError,
  isOrchestrationError,
  isRetryable,
  toOrchestrationError,
} from './errors.js';

describe('OrchestrationError', () => {
  it('has Beluga’s 13 codes', () => {
    expect(ERROR_CODES).toHaveLength(13);
    expect(new Set(ERROR_CODES).size).toBe(13);
  });

  it('carries code, op, cause, details and a default retryability per code', () => {
    const cause = new Error('socket hang up');
    const e = new OrchestrationError('timeout', 'step x timed out', {
      op: 'x',
      cause,
      details: { ms: 5 },
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('timeout');
    expect(e.op).toBe('x');
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ ms: 5 });
    expect(e.retryable).toBe(true);
    expect(new OrchestrationError('invalid_input', 'bad').retryable).toBe(false);
    expect(new OrchestrationError('invalid_input', 'bad', { retryable: true }).retryable).toBe(
      true,
    );
  });

  it('is recognised by code and brand, not instanceof (a copy from another module counts)', () => {
    const foreign = Object.assign(new Error('x'), { name: 'OrchestrationError', code: 'timeout' });
    expect(isOrchestrationError(foreign)).toBe(true);
    expect(isOrchestrationError(new Error('x'))).toBe(false);
    expect(isOrchestrationError('timeout')).toBe(false);
  });

  it('serializes to JSON without losing the code', () => {
    const json = JSON.parse(
      JSON.stringify(new OrchestrationError('not_found', 'nope', { cause: new Error('inner') })),
    ) as Record<string, unknown>;
    expect(json).toMatchObject({ code: 'not_found', message: 'nope', cause: { message: 'inner' } });
  });
});

describe('isRetryable', () => {
  it('never retries a cancellation, wherever it is in the cause chain', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect(isRetryable(abort)).toBe(false);
    expect(isRetryable(canceledError('x'))).toBe(false);
    const wrapped = new OrchestrationError('execution_failed', 'wrapped', {
      cause: canceledError('inner'),
    });
    expect(isRetryable(wrapped)).toBe(false);
  });

  it('lets the first explicit flag in the chain decide', () => {
    const inner = new OrchestrationError('invalid_input', 'bad input');
    const outer = new Error('outer', { cause: inner });
    expect(isRetryable(outer)).toBe(false);
    expect(isRetryable(new OrchestrationError('rate_limit_exceeded', 'slow down'))).toBe(true);
  });

  it('assumes an unknown error is transient', () => {
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true);
    expect(isRetryable('a string')).toBe(true);
  });
});

describe('toOrchestrationError', () => {
  it('keeps an OrchestrationError as is', () => {
    const e = new OrchestrationError('timeout', 't');
    expect(toOrchestrationError(e, 'op')).toBe(e);
  });

  it('wraps anything else with the original as cause and the op in the message', () => {
    const cause = new Error('boom');
    const e = toOrchestrationError(cause, 'fetch');
    expect(e.code).toBe('execution_failed');
    expect(e.cause).toBe(cause);
    expect(e.message).toBe('fetch failed: boom');
    expect(toOrchestrationError({ reason: 1 }, 'x').message).toContain('{"reason":1}');
  });

  it('maps an AbortError to task_canceled', () => {
    expect(toOrchestrationError(new DOMException('aborted', 'AbortError'), 'x').code).toBe(
      'task_canceled',
    );
  });
});

describe('constructor helpers', () => {
  it('one per code but task_canceled (canceledError), with the code default retryability', async () => {
    const errors = await import('./errors.js');
    const helpers: [(message: string) => OrchestrationError, string, boolean][] = [
      [errors.invalidConfigError, 'invalid_config', false],
      [errors.invalidInputError, 'invalid_input', false],
      [errors.executionFailedError, 'execution_failed', true],
      [errors.timeoutError, 'timeout', true],
      [errors.dependencyFailedError, 'dependency_failed', false],
      [errors.resourceExhaustedError, 'resource_exhausted', true],
      [errors.invalidStateError, 'invalid_state', false],
      [errors.notFoundError, 'not_found', false],
      [errors.circuitBreakerOpenError, 'circuit_breaker_open', false],
      [errors.rateLimitExceededError, 'rate_limit_exceeded', true],
      [errors.workflowDeadlockError, 'workflow_deadlock', false],
      [errors.maxRetriesExceededError, 'max_retries_exceeded', false],
    ];
    expect(new Set([...helpers.map(([, code]) => code), 'task_canceled'])).toEqual(
      new Set(ERROR_CODES),
    );
    for (const [make, code, retryable] of helpers) {
      const e = make('what went wrong; what to do');
      expect(e).toMatchObject({ name: 'OrchestrationError', code, retryable, op: '' });
      expect(isRetryable(e)).toBe(retryable);
    }
    const cause = new Error('socket closed');
    const e = errors.dependencyFailedError('redis at redis://host:6379 is unreachable', {
      op: 'history.append',
      retryable: true,
      cause,
      details: { url: 'redis://host:6379' },
    });
    expect(e).toMatchObject({ op: 'history.append', retryable: true, cause });
    expect(e.details).toEqual({ url: 'redis://host:6379' });
    expect(errors.orchestrationError('timeout', 'slow').code).toBe('timeout');
  });
});
