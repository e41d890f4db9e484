import { err, ok, ResultAsync } from 'neverthrow';
import { EMPTY, type Observable } from 'rxjs';
import { OrchestrationError, toOrchestrationError } from './errors.js';
import { showValue } from './show-value.js';
import type { RunEvent } from './run-event.js';

/**
 * Subscribes to a run's events and resolves with the output carried by `run-end`.
 *
 * @example
 * const output = await lastOutput(chain.stream(input)); // Result<Output, OrchestrationError>
 */
export function lastOutput<O>(
  events$: Observable<RunEvent<O>>,
): ResultAsync<O, OrchestrationError> {
  return new ResultAsync(
    new Promise((resolve) => {
      let found = false;
      let output: O | undefined;
      const invalid = notObservable('lastOutput', events$);
      if (invalid !== undefined) {
        resolve(err(invalid));
        return;
      }
      events$.subscribe({
        next(event) {
          if (event.type === 'run-end') {
            found = true;
            output = event.output;
          }
        },
        error(error: unknown) {
          resolve(err(toOrchestrationError(error, 'stream')));
        },
        complete() {
          resolve(
            found
              ? ok(output as O)
              : err(
                  toOrchestrationError(
                    new Error('the stream completed without a run-end event'),
                    'stream',
                    'invalid_state',
                  ),
                ),
          );
        },
      });
    }),
  );
}

/**
 * Turns a run's events into an AsyncIterable for `for await`. Leaving the loop early
 * unsubscribes, which aborts the run. A failed run throws its OrchestrationError from the loop.
 */
export function toAsyncIterable<T>(events$: Observable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const buffer: T[] = [];
      let waiting: ((result: IteratorResult<T>) => void) | undefined;
      let failWaiting: ((error: unknown) => void) | undefined;
      let done = false;
      let failure: { error: unknown } | undefined;
      const invalid = notObservable('toAsyncIterable', events$);
      if (invalid !== undefined) failure = { error: invalid };
      const subscription = (invalid === undefined ? events$ : EMPTY).subscribe({
        next(value) {
          if (waiting) {
            const resolve = waiting;
            waiting = undefined;
            failWaiting = undefined;
            resolve({ value, done: false });
          } else buffer.push(value);
        },
        error(error: unknown) {
          failure = { error };
          if (failWaiting) {
            const reject = failWaiting;
            waiting = undefined;
            failWaiting = undefined;
            reject(error);
          }
        },
        complete() {
          done = true;
          if (waiting) {
            const resolve = waiting;
            waiting = undefined;
            failWaiting = undefined;
            resolve({ value: undefined, done: true });
          }
        },
      });
      return {
        next(): Promise<IteratorResult<T>> {
          if (buffer.length > 0)
            return Promise.resolve({ value: buffer.shift() as T, done: false });
          if (failure) return Promise.reject(failure.error);
          if (done) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve, reject) => {
            waiting = resolve;
            failWaiting = reject;
          });
        },
        return(): Promise<IteratorResult<T>> {
          subscription.unsubscribe();
          buffer.length = 0;
          done = true;
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}

/** The `invalid_input` error for a helper given something that is not an Observable. */
function notObservable(op: string, value: unknown): OrchestrationError | undefined {
  let subscribable = false;
  try {
    subscribable =
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { subscribe?: unknown }).subscribe === 'function';
  } catch {
    // a Proxy: not an Observable
  }
  if (subscribable) return undefined;
  return new OrchestrationError(
    'invalid_input',
    `${op}(events$): expected an Observable of run events such as runnable.stream(input), got ${showValue(value)}`,
    { op, details: { field: 'events$' } },
  );
}
