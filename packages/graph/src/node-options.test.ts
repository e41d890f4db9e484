import { createMemoryCacheStore, OrchestrationError, runnable } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { graphOf } from '../test/support.js';
import {
  withGraphFailFast,
  withGraphName,
  withGraphRetries,
  withNodeCache,
  withNodeRetries,
  withNodeRetryPolicy,
} from './index.js';

const fast = withNodeRetryPolicy({ initialDelayMs: 1, maxDelayMs: 2 });

function flaky(
  failures: number,
  error: () => Error = () => new OrchestrationError('execution_failed', 'transient'),
) {
  const state = { calls: 0 };
  const fn = (x: unknown) => {
    state.calls++;
    if (state.calls <= failures) throw error();
    return x;
  };
  return { state, fn };
}

describe('node retries', () => {
  it('withGraphRetries applies to nodes without their own setting', async () => {
    const a = flaky(2);
    const b = flaky(1);
    const g = graphOf(
      { a: [a.fn, fast], b: [b.fn, fast, withNodeRetries(0)] },
      [],
      withGraphRetries(2),
      withGraphFailFast(false),
    );
    const error = (await g.invoke(1))._unsafeUnwrapErr();
    expect(error.details.node).toBe('b'); // b opted out of retries
    expect(a.state.calls).toBe(3);
    expect(b.state.calls).toBe(1);
  });

  it('fails with max_retries_exceeded, the last error as cause, when attempts run out', async () => {
    const a = flaky(10);
    const g = graphOf({ a: [a.fn, withNodeRetries(2), fast] }, []);
    const error = (await g.invoke(1))._unsafeUnwrapErr();
    expect(error.code).toBe('max_retries_exceeded');
    expect(((error.cause as OrchestrationError).cause as OrchestrationError).message).toContain(
      'transient',
    );
    expect(a.state.calls).toBe(3);
  });

  it('does not retry errors that are not retryable', async () => {
    const a = flaky(10, () => new OrchestrationError('invalid_input', 'bad', { retryable: false }));
    const g = graphOf({ a: [a.fn, withNodeRetries(5), fast] }, []);
    expect((await g.invoke(1))._unsafeUnwrapErr().code).toBe('invalid_input');
    expect(a.state.calls).toBe(1);
  });

  it('takes the attempts from withNodeRetries and retryOn from withNodeRetryPolicy', async () => {
    const a = flaky(2);
    const g = graphOf(
      { a: [a.fn, withNodeRetries(2), withNodeRetryPolicy({ initialDelayMs: 1 })] },
      [],
    );
    expect((await g.invoke(5))._unsafeUnwrap()).toBe(5);
    expect(a.state.calls).toBe(3);
    const b = flaky(2);
    const never = graphOf(
      {
        b: [
          b.fn,
          withNodeRetries(2),
          withNodeRetryPolicy({ initialDelayMs: 1, retryOn: () => false }),
        ],
      },
      [],
    );
    expect((await never.invoke(5)).isErr()).toBe(true);
    expect(b.state.calls).toBe(1);
  });
});

describe("one setting for a node's attempts", () => {
  it('refuses a maxAttempts in withNodeRetryPolicy, naming withNodeRetries', () => {
    const g = graphOf({}, []);
    const e = g
      .addNode(
        'a',
        runnable('a', (x: number) => x),
        withNodeRetryPolicy({ maxAttempts: 3 } as object),
      )
      ._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_config');
    expect(e.message).toContain('withNodeRetryPolicy does not take maxAttempts');
    expect(e.message).toContain('withNodeRetries(n)');
  });
});

describe('programming errors', () => {
  it('a node throwing a TypeError runs once under withNodeRetries(3)', async () => {
    let calls = 0;
    const g = graphOf(
      {
        a: [
          (x: { text?: string } | null) => {
            calls += 1;
            return (x as { text: string }).text.length;
          },
          withNodeRetries(3),
          fast,
        ],
      },
      [],
    );
    const e = (await g.invoke(null))._unsafeUnwrapErr();
    expect(e.code).not.toBe('max_retries_exceeded');
    expect(calls).toBe(1);
  });

  it('a transient error is still retried', async () => {
    const a = flaky(2, () => new Error('503 Service Unavailable'));
    const g = graphOf({ a: [a.fn, withNodeRetries(3), fast] }, []);
    expect((await g.invoke(5))._unsafeUnwrap()).toBe(5);
    expect(a.state.calls).toBe(3);
  });
});

describe('node cache', () => {
  it('reuses the output for the same input and runs again for another', async () => {
    let calls = 0;
    const g = graphOf<number>(
      { square: [(x: number) => (calls++, x * x), withNodeCache()], plus: (x: number) => x + 1 },
      [['square', 'plus']],
    );
    expect((await g.invoke(3))._unsafeUnwrap()).toBe(10);
    expect((await g.invoke(3))._unsafeUnwrap()).toBe(10);
    expect(calls).toBe(1);
    expect((await g.invoke(4))._unsafeUnwrap()).toBe(17);
    expect(calls).toBe(2);
  });

  it('namespaces keys by graph and node in a shared store', async () => {
    const store = createMemoryCacheStore();
    const g = graphOf(
      { a: [(x: number) => x + 1, withNodeCache({ store })] },
      [],
      withGraphName('cached'),
    );
    await g.invoke(1);
    expect(store.size).toBe(1);
    expect(store.get('cached/a:1')).toBe(2);
  });
});
