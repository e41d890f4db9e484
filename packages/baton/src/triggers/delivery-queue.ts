import { OrchestrationError } from '@baton/core';
import { err, ok, type Result } from 'neverthrow';
import type { TriggerDelivery } from './trigger-source.js';

type Pulled<P> = Result<readonly TriggerDelivery<P>[], OrchestrationError>;

/** Source errors kept for the next pulls; more are counted into one report. */
const MAX_ERRORS = 100;

/** Builds the one report of the events dropped since the last one (`eventIds`: the first few). */
export type OverflowReport = (dropped: number, eventIds: readonly string[]) => OrchestrationError;

interface Waiter<P> {
  readonly max: number;
  readonly resolve: (pulled: Pulled<P>) => void;
}

/**
 * The in-memory buffer of a push source (an Observable, a webhook) behind the pull contract:
 * deliveries wait here until the trigger pulls, and a waiting pull is answered at once.
 */
export class DeliveryQueue<P> {
  readonly #items: TriggerDelivery<P>[] = [];
  readonly #errors: OrchestrationError[] = [];
  #waiter: Waiter<P> | undefined;
  #ended = false;
  /** Events dropped since the last overflow report, and the first of their ids. */
  #dropped = 0;
  readonly #droppedIds: string[] = [];
  /** Errors not kept (over `MAX_ERRORS`), reported with the last kept one. */
  #lostErrors = 0;

  /** @param overflow builds the report of dropped events (`drop`). */
  constructor(private readonly overflow?: OverflowReport) {}

  /** Deliveries waiting for a pull. */
  get length(): number {
    return this.#items.length;
  }

  /** True while a pull waits: the trigger has room for more runs. */
  get pulling(): boolean {
    return this.#waiter !== undefined;
  }

  /** Adds a delivery (`front`: a released one goes before the others). */
  push(delivery: TriggerDelivery<P>, front = false): void {
    if (front) this.#items.unshift(delivery);
    else this.#items.push(delivery);
    this.#answer();
  }

  /** Reports `error` to the next pull (or the waiting one). */
  fail(error: OrchestrationError): void {
    if (this.#errors.length >= MAX_ERRORS) this.#lostErrors += 1;
    else this.#errors.push(error);
    this.#answer();
  }

  /**
   * Counts an event that was not buffered: the drops until the next pull make one report
   * (`resource_exhausted` with `details.dropped`), so a burst is not one error per event.
   */
  drop(eventId: string): void {
    this.#dropped += 1;
    if (this.#droppedIds.length < 10) this.#droppedIds.push(eventId);
    this.#answer();
  }

  /** No delivery will be pushed again: a waiting pull gets the rest, or an empty array. */
  end(): void {
    this.#ended = true;
    this.#answer();
  }

  /** Ended and empty. */
  get ended(): boolean {
    return (
      this.#ended && this.#items.length === 0 && this.#errors.length === 0 && this.#dropped === 0
    );
  }

  pull(max: number, signal: AbortSignal): Promise<Pulled<P>> {
    if (signal.aborted) return Promise.resolve(ok([]));
    return new Promise<Pulled<P>>((resolve) => {
      const onAbort = (): void => {
        if (this.#waiter?.resolve === done) this.#waiter = undefined;
        resolve(ok([]));
      };
      const done = (pulled: Pulled<P>): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(pulled);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiter?.resolve(ok([]));
      this.#waiter = { max: Math.max(1, max), resolve: done };
      this.#answer();
    });
  }

  #answer(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    const error = this.#nextError();
    if (error !== undefined) {
      this.#waiter = undefined;
      waiter.resolve(err(error));
    } else if (this.#items.length > 0 || this.#ended) {
      this.#waiter = undefined;
      waiter.resolve(ok(this.#items.splice(0, waiter.max)));
    }
  }

  #nextError(): OrchestrationError | undefined {
    if (this.#dropped > 0 && this.overflow !== undefined) {
      const report = this.overflow(this.#dropped, this.#droppedIds.splice(0));
      this.#dropped = 0;
      return report;
    }
    const error = this.#errors.shift();
    if (error === undefined || this.#errors.length > 0 || this.#lostErrors === 0) return error;
    const lost = this.#lostErrors;
    this.#lostErrors = 0;
    return new OrchestrationError(
      error.code,
      `${error.message} (and ${lost} more source errors, not kept: at most ${MAX_ERRORS} wait for the trigger)`,
      { op: error.op, cause: error, details: { ...error.details, lostErrors: lost } },
    );
  }
}
