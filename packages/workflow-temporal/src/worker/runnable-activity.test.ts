import { runnable, OrchestrationError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { createBatonActivities, toApplicationFailure } from './runnable-activity.js';

const a = runnable('a', (x: number) => x);
const b = runnable('b', (x: number) => x + 1);

describe('createBatonActivities', () => {
  it('registers Runnables by their name or by the record key', () => {
    expect(Object.keys(createBatonActivities([a, b])._unsafeUnwrap()).sort()).toEqual(['a', 'b']);
    expect(Object.keys(createBatonActivities({ first: a })._unsafeUnwrap())).toEqual(['first']);
  });

  it('rejects two Runnables with one name, and values that are not Runnables', () => {
    const twice = createBatonActivities([a, runnable('a', () => 1)])._unsafeUnwrapErr();
    expect(twice).toMatchObject({ code: 'invalid_config', details: { name: 'a' } });
    const notOne = createBatonActivities({ x: (() => 1) as never })._unsafeUnwrapErr();
    expect(notOne.code).toBe('invalid_config');
    expect(notOne.message).toContain('"x"');
  });
});

describe('toApplicationFailure', () => {
  it('keeps the code as the failure type and maps retryable to nonRetryable', () => {
    const fatal = toApplicationFailure(
      new OrchestrationError('invalid_input', 'bad order', { details: { id: 1 } }),
    );
    expect(fatal).toMatchObject({
      type: 'invalid_input',
      nonRetryable: true,
      message: 'bad order',
    });
    expect(fatal.details).toEqual([{ op: '', details: { id: 1 } }]);
    expect(toApplicationFailure(new OrchestrationError('timeout', 'slow')).nonRetryable).toBe(
      false,
    );
  });

  it('drops details JSON cannot carry instead of failing', () => {
    const odd = toApplicationFailure(
      new OrchestrationError('invalid_input', 'x', { details: { n: 1n } }),
    );
    expect(odd.details).toEqual([{}]);
  });
});
