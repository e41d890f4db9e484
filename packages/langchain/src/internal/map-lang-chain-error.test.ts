import { isRetryable, OrchestrationError } from '@baton/core';
import { NEVER_SIGNAL } from '@baton/core/authoring';
import { ContextOverflowError, ModelAbortError, stampRetryable } from '@langchain/core/errors';
import { OutputParserException } from '@langchain/core/output_parsers';
import { describe, expect, it } from 'vitest';
import { mapLangChainError } from './map-lang-chain-error.js';

const map = (error: unknown) => mapLangChainError(error, 'step', NEVER_SIGNAL);

describe('mapLangChainError', () => {
  it('maps a plain error to execution_failed, keeping it as cause', () => {
    const cause = new Error('boom');
    const e = map(cause);
    expect(e).toMatchObject({ code: 'execution_failed', op: 'step', message: 'step failed: boom' });
    expect(e.cause).toBe(cause);
  });

  it.each([
    ['INVALID_PROMPT_INPUT', 'invalid_input'],
    ['MESSAGE_COERCION_FAILURE', 'invalid_input'],
    ['MODEL_AUTHENTICATION', 'invalid_config'],
    ['MODEL_NOT_FOUND', 'not_found'],
    ['MODEL_RATE_LIMIT', 'rate_limit_exceeded'],
    ['OUTPUT_PARSING_FAILURE', 'execution_failed'],
  ] as const)('maps lc_error_code %s to %s', (lcCode, code) => {
    const e = map(Object.assign(new Error('x'), { lc_error_code: lcCode }));
    expect(e.code).toBe(code);
    expect(e.details).toMatchObject({ lcErrorCode: lcCode });
  });

  it('maps LangChain error classes by name', () => {
    expect(map(new ModelAbortError('stopped')).code).toBe('task_canceled');
    const overflow = map(new ContextOverflowError());
    expect(overflow.code).toBe('invalid_input');
    expect(isRetryable(overflow)).toBe(false);
    expect(map(new OutputParserException('bad json')).code).toBe('execution_failed');
  });

  it('maps HTTP statuses of provider errors', () => {
    const withStatus = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
    expect(map(withStatus(429)).code).toBe('rate_limit_exceeded');
    expect(isRetryable(map(withStatus(429)))).toBe(true);
    expect(map(withStatus(401)).code).toBe('invalid_config');
    expect(isRetryable(map(withStatus(401)))).toBe(false);
    expect(map(withStatus(404)).code).toBe('not_found');
    const unavailable = map(withStatus(503));
    expect(unavailable.code).toBe('dependency_failed');
    expect(isRetryable(unavailable)).toBe(true);
  });

  it("honours LangChain's retryable stamp", () => {
    expect(isRetryable(map(stampRetryable(new Error('no'), false)))).toBe(false);
    expect(
      isRetryable(map(stampRetryable(Object.assign(new Error('x'), { status: 401 }), true))),
    ).toBe(true);
  });

  it('passes an OrchestrationError through unchanged', () => {
    const original = new OrchestrationError('invalid_input', 'bad');
    expect(map(original)).toBe(original);
  });

  it('reports an aborted signal as the abort reason, whatever LangChain threw', () => {
    const controller = new AbortController();
    const timeout = new OrchestrationError('timeout', 'step timed out after 5 ms');
    controller.abort(timeout);
    expect(mapLangChainError(new Error('Aborted'), 'step', controller.signal)).toBe(timeout);
    const plain = new AbortController();
    plain.abort();
    expect(mapLangChainError(new Error('Aborted'), 'step', plain.signal).code).toBe(
      'task_canceled',
    );
  });

  it('describes non-Error values', () => {
    expect(map('text').message).toBe('step failed: text');
    expect(map({ detail: 1 }).message).toBe('step failed: {"detail":1}');
  });
});
