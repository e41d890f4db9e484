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

describe('default retryability per code', () => {
  it('retries transient codes only', () => {
    const expected: Record<string, boolean> = {
      invalid_config: false,
      invalid_input: false,
      execution_failed: true,
      timeout: true,
      dependency_failed: false,
      resource_exhausted: true,
      invalid_state: false,
      not_found: false,
      circuit_breaker_open: false,
      rate_limit_exceeded: true,
      workflow_deadlock: false,
      task_canceled: false,
      max_retries_exceeded: false,
    };
    expect(new Set(Object.keys(expected))).toEqual(new Set(ERROR_CODES));
    for (const code of ERROR_CODES) {
      const e = new OrchestrationError(code, 'what went wrong; what to do');
      expect(e).toMatchObject({ name: 'OrchestrationError', code, op: '' });
      expect(e.retryable).toBe(expected[code]);
      expect(isRetryable(e)).toBe(expected[code]);
    }
  });
});

describe('programming errors', () => {
  it.each([
    new TypeError("Cannot read properties of undefined (reading 'text')"),
    new ReferenceError('answer is not defined'),
    new SyntaxError('Unexpected token } in JSON'),
    new RangeError('Maximum call stack size exceeded'),
  ])('%s is not retryable, wrapped or not', (bug) => {
    const e = toOrchestrationError(bug, 'node');
    expect(e).toMatchObject({ code: 'execution_failed', retryable: false, cause: bug });
    expect(isRetryable(e)).toBe(false);
    expect(isRetryable(bug)).toBe(false);
  });

  it('a TypeError from fetch with a network cause stays retryable', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const failed = new TypeError('fetch failed', { cause: reset });
    expect(toOrchestrationError(failed, 'fetch').retryable).toBe(true);
    expect(isRetryable(failed)).toBe(true);
  });

  it('other errors stay retryable', () => {
    expect(toOrchestrationError(new Error('503 Service Unavailable')).retryable).toBe(true);
    expect(isRetryable(new Error('socket hang up'))).toBe(true);
  });
});
