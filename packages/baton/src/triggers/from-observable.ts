import { OrchestrationError, toOrchestrationError } from '@baton/core';
import { showValue } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import { isObservable, type Observable, type Subscription } from 'rxjs';
import { DeliveryQueue } from './delivery-queue.js';
import type { TriggerDelivery, TriggerEvent, TriggerSource } from './trigger-source.js';

/** How `fromObservable` turns values into events. */
export interface ObservableSourceOptions<T, P = T> {
  /** The event id of a value: the same for the same event (duplicates then run once). */
  readonly id: (value: T) => string;
  /** The event payload. @default the value */
  readonly payload?: (value: T) => P;
  /**
   * Values buffered while the trigger is at its concurrency bound (rxjs has no backpressure).
   * A value beyond it is not buffered: the values dropped between two pulls are reported to the
   * trigger as one `resource_exhausted` source error (`details.dropped`: their count,
   * `details.eventIds`: the first ten ids); the trigger does not back off for it.
   * @default 1_000
   */
  readonly bufferLimit?: number;
  /** @default 'observable' */
  readonly name?: string;
}

const OP = 'fromObservable';

function badOption(field: string, value: unknown, expected: string): OrchestrationError {
  return new OrchestrationError(
    'invalid_config',
    `${OP}: ${field} must be ${expected}, got ${showValue(value)}`,
    { op: OP, details: { field } },
  );
}

function checkOptions(observable$: unknown, options: unknown): OrchestrationError | undefined {
  if (!isObservable(observable$))
    return badOption('observable$', observable$, 'an rxjs Observable');
  if (typeof options !== 'object' || options === null)
    return badOption('options', options, 'an object with id');
  const o = options as Partial<ObservableSourceOptions<unknown>>;
  if (typeof o.id !== 'function') return badOption('id', o.id, 'a function value => event id');
  if (o.payload !== undefined && typeof o.payload !== 'function')
    return badOption('payload', o.payload, 'a function value => payload');
  const limit = o.bufferLimit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
    return badOption('bufferLimit', limit, 'an integer of at least 1');
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === ''))
    return badOption('name', o.name, 'a non-empty string');
  return undefined;
}

/**
 * A trigger source over any rxjs Observable. It subscribes on the first pull; values wait in a
 * bounded buffer while the trigger is at its bound. The Observable's completion ends the
 * trigger once every buffered event has run; its error is reported to the trigger (a
 * `source-error`) and ends it too. Acknowledging and dead-lettering forget the event (the
 * trigger's `withTriggerDeadLetter` is where a failed event is kept); a released event goes back
 * to the front of the buffer. `close()` unsubscribes, keeping the buffer: a later trigger on the
 * same source gets the buffered events first and subscribes again (a cold Observable starts
 * over; events whose runs completed are skipped by run id).
 *
 * @example
 * const source = fromObservable(orders$, { id: (order) => order.id, bufferLimit: 500 });
 */
export function fromObservable<T, P = T>(
  observable$: Observable<T>,
  options: ObservableSourceOptions<T, P>,
): Result<TriggerSource<P>, OrchestrationError> {
  const problem = checkOptions(observable$, options);
  if (problem !== undefined) return err(problem);
  const name = options.name ?? 'observable';
  const limit = options.bufferLimit ?? 1_000;
  const queue = new DeliveryQueue<P>(
    (dropped, eventIds) =>
      new OrchestrationError(
        'resource_exhausted',
        `${name}: ${dropped} event(s) were not buffered (first: ${eventIds.map((id) => `"${id}"`).join(', ')}): ${limit} events already waited for the trigger; raise bufferLimit, raise the trigger's concurrency, or slow the Observable down`,
        {
          op: name,
          details: { dropped, eventIds, eventId: eventIds[0], bufferLimit: limit },
        },
      ),
  );
  let subscription: Subscription | undefined;
  let finished = false;

  const deliver = (event: TriggerEvent<P>, front: boolean): void => {
    const delivery: TriggerDelivery<P> = {
      event,
      ack: () => Promise.resolve(ok(undefined)),
      deadLetter: () => Promise.resolve(ok(undefined)),
      release: () => {
        deliver({ ...event, deliveries: event.deliveries + 1 }, true);
        return Promise.resolve(ok(undefined));
      },
    };
    queue.push(delivery, front);
  };

  const onValue = (value: T): void => {
    let event: TriggerEvent<P>;
    try {
      const id = options.id(value);
      if (typeof id !== 'string' || id === '')
        throw new Error(`id(value) gave ${showValue(id)}, expected a non-empty string`);
      const payload =
        options.payload === undefined ? (value as unknown as P) : options.payload(value);
      event = { id, payload, deliveries: 1 };
    } catch (cause) {
      queue.fail(toOrchestrationError(cause, `${name}.id`, 'invalid_input'));
      return;
    }
    if (queue.length >= limit) {
      queue.drop(event.id);
      return;
    }
    deliver(event, false);
  };

  return ok({
    name,
    pull(max, signal) {
      if (subscription === undefined && !finished) {
        subscription = observable$.subscribe({
          next: onValue,
          error: (error: unknown) => {
            finished = true;
            queue.fail(
              toOrchestrationError(error, `${name}: the Observable failed`, 'execution_failed'),
            );
            queue.end();
          },
          complete: () => {
            finished = true;
            queue.end();
          },
        });
      }
      return queue.pull(max, signal);
    },
    ended: () => queue.ended,
    close() {
      subscription?.unsubscribe();
      subscription = undefined;
      return Promise.resolve();
    },
  });
}
