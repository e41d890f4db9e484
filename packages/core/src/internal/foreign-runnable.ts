import type { Observable, Subscription } from 'rxjs';
import { OrchestrationError, toOrchestrationError } from '../errors.js';
import { NEVER_SIGNAL } from '../abort.js';
import type { RunEvent, StepEvent } from '../run-event.js';
import type { EventSink, Runnable, RunOptions } from '../runnable.js';
import { showValue } from '../show-value.js';
import { isResult } from '../is-result.js';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function isSubscribable<O>(value: unknown): value is Observable<RunEvent<O>> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { subscribe?: unknown }).subscribe === 'function'
  );
}

/** Runs a non-Baton Runnable through its `invoke`, which must give a ResultAsync. */
export function invokeForeign<I, O>(
  runnable: Runnable<I, O>,
  input: I,
  options: RunOptions,
): Promise<O> {
  return new Promise<O>((resolve, reject) => {
    const settle = (r: unknown): void => {
      try {
        if (!isResult(r)) reject(notAResult(runnable.name, r));
        else if (r.isErr()) reject(toOrchestrationError(r.error, runnable.name));
        else resolve(r.value as O);
      } catch (error) {
        reject(toOrchestrationError(error, runnable.name));
      }
    };
    const produced: unknown = runnable.invoke(input, options);
    if (!isThenable(produced)) {
      reject(notAResult(runnable.name, produced));
      return;
    }
    produced.then(settle, (error: unknown) => reject(toOrchestrationError(error, runnable.name)));
  });
}

/** A foreign Runnable whose `invoke` broke the protocol (no ResultAsync): it cannot be trusted. */
function notAResult(name: string, got: unknown): OrchestrationError {
  return new OrchestrationError(
    'invalid_state',
    `${name}: invoke must return a ResultAsync (a promise of a neverthrow Result), got ${showValue(got)}; wrap other objects with runnable(name, fn)`,
    { op: name, retryable: false },
  );
}

/** A foreign run's event, its path (relative to that run, or missing) put under `path`. */
function underPath(event: StepEvent, path: readonly string[]): StepEvent {
  const own = (event as { readonly path?: unknown }).path;
  const relative: readonly string[] = Array.isArray(own) ? (own as readonly string[]) : [];
  if (path.length === 0 && relative === own) return event;
  return { ...event, path: path.length === 0 ? relative : [...path, ...relative] } as StepEvent;
}

/**
 * Runs a non-Baton Runnable through its `stream`, forwarding its step events and chunks to the
 * enclosing run's sink (its own `run-start`/`run-end` stay inside). Aborting unsubscribes.
 */
export function streamForeign<I, O>(
  runnable: Runnable<I, O>,
  input: I,
  options: RunOptions,
  sink: EventSink,
  path: readonly string[],
): Promise<O> {
  return new Promise<O>((resolve, reject) => {
    const signal = options.signal ?? NEVER_SIGNAL;
    let end: { output: O } | undefined;
    let subscription: Subscription | undefined;
    const onAbort = (): void => subscription?.unsubscribe();
    const done = (): void => signal.removeEventListener('abort', onAbort);
    try {
      const events$: unknown = runnable.stream(input, options);
      if (!isSubscribable<O>(events$)) {
        const message = `${runnable.name}: stream must return an Observable of run events, got ${showValue(events$)}; wrap other objects with runnable(name, fn)`;
        reject(new OrchestrationError('invalid_state', message, { op: runnable.name }));
        return;
      }
      subscription = events$.subscribe({
        next(event) {
          try {
            if (event.type === 'run-end') end = { output: event.output };
            else if (event.type !== 'run-start') sink(underPath(event, path));
          } catch (error) {
            // A malformed event: rxjs would rethrow this error out of band, crashing the process.
            done();
            reject(toOrchestrationError(error, runnable.name));
            subscription?.unsubscribe();
          }
        },
        error(error: unknown) {
          done();
          reject(toOrchestrationError(error, runnable.name));
        },
        complete() {
          done();
          if (end !== undefined) resolve(end.output);
          else {
            const message = `${runnable.name}: the stream completed without a run-end event`;
            reject(new OrchestrationError('invalid_state', message, { op: runnable.name }));
          }
        },
      });
    } catch (error) {
      reject(toOrchestrationError(error, runnable.name));
      return;
    }
    if (signal.aborted) subscription.unsubscribe();
    else if (!subscription.closed) signal.addEventListener('abort', onAbort, { once: true });
  });
}
