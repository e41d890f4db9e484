import { ServiceError, WorkflowFailedError } from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  RetryState,
  TerminatedFailure,
  TimeoutFailure,
  TimeoutType,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { fromTemporalError } from './from-temporal-error.js';

const failed = (cause: Error) =>
  new WorkflowFailedError('Workflow execution failed', cause, RetryState.NON_RETRYABLE_FAILURE);

describe('fromTemporalError', () => {
  it('maps the client errors a caller can act on, keeping the Temporal error as cause', () => {
    const missing = new WorkflowNotFoundError('workflow not found', 'wf-1', undefined);
    expect(fromTemporalError(missing, 'orders.getResult')).toMatchObject({
      code: 'not_found',
      op: 'orders.getResult',
      retryable: false,
      cause: missing,
    });
    const started = new WorkflowExecutionAlreadyStartedError('already started', 'wf-1', 'orders');
    expect(fromTemporalError(started, 'orders.execute')).toMatchObject({
      code: 'invalid_state',
      details: { reason: 'already-started', workflowId: 'wf-1' },
      cause: started,
    });
  });

  it('maps how an execution ended: canceled, terminated, timed out', () => {
    expect(fromTemporalError(failed(new CancelledFailure('canceled')), 'op').code).toBe(
      'task_canceled',
    );
    expect(fromTemporalError(failed(new TerminatedFailure('by ops')), 'op')).toMatchObject({
      code: 'task_canceled',
      details: { temporal: 'terminated', reason: 'by ops' },
    });
    const timeout = new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE);
    expect(fromTemporalError(failed(timeout), 'op').code).toBe('timeout');
  });

  it("gives back the code and retryability a Runnable's error had in the activity", () => {
    const sent = ApplicationFailure.create({
      message: 'no items',
      type: 'invalid_input',
      nonRetryable: true,
      details: [{ op: 'charge', details: { orderId: 'o-1' } }],
    });
    const activity = new ActivityFailure(
      'activity failed',
      'charge',
      '1',
      RetryState.NON_RETRYABLE_FAILURE,
      undefined,
      sent,
    );
    expect(fromTemporalError(failed(activity), 'op')).toMatchObject({
      code: 'invalid_input',
      retryable: false,
      details: { orderId: 'o-1' },
    });
    const foreign = ApplicationFailure.create({ message: 'boom', type: 'TypeError' });
    expect(fromTemporalError(failed(foreign), 'op')).toMatchObject({
      code: 'execution_failed',
      retryable: true,
      details: { temporalType: 'TypeError' },
    });
  });

  it('maps an unreachable server to dependency_failed and gRPC codes to ours', () => {
    const grpc = (code: number) =>
      new ServiceError('call failed', {
        cause: Object.assign(new Error('grpc'), { code, metadata: {}, details: '' }),
      });
    expect(fromTemporalError(grpc(14), 'op').code).toBe('dependency_failed');
    expect(fromTemporalError(grpc(4), 'op').code).toBe('timeout');
    expect(fromTemporalError(grpc(8), 'op').code).toBe('resource_exhausted');
    expect(fromTemporalError(new Error('socket hang up'), 'op').code).toBe('dependency_failed');
  });

  it("says what the server said when the client's own message does not", () => {
    const rejected = new ServiceError('Failed to start Workflow', {
      cause: Object.assign(new Error('3 INVALID_ARGUMENT: no mapping for X'), {
        code: 3,
        metadata: {},
        details: 'Namespace default has no mapping defined for search attribute X',
      }),
    });
    const error = fromTemporalError(rejected, 'orders.execute');
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe(
      'orders.execute: Failed to start Workflow: Namespace default has no mapping defined for search attribute X',
    );
    expect(error.details).toEqual({ grpcCode: 3 });
  });

  it('never throws on odd values', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
      },
    );
    expect(fromTemporalError(hostile, 'op').code).toBe('dependency_failed');
    expect(fromTemporalError(undefined, 'op').code).toBe('dependency_failed');
  });
});
