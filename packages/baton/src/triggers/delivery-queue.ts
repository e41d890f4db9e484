import type { OrchestrationError } from '@baton/core';
import { err, ok, type Result } from 'neverthrow';
import type { TriggerDelivery } from './trigger-source.js';

type Pulled<P> = Result<readonly TriggerDelivery<P>[], OrchestrationError>;

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
    this.#errors.push(error);
    this.#answer();
  }

  /** No delivery will be pushed again: a waiting pull gets the rest, or an empty array. */
  end(): void {
    this.#ended = true;
    this.#answer();
  }

  /** Ended and empty. */
  get ended(): boolean {
    return this.#ended && this.#items.length === 0 && this.#errors.length === 0;
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
    const error = this.#errors.shift();
    if (error !== undefined) {
      this.#waiter = undefined;
      waiter.resolve(err(error));
    } else if (this.#items.length > 0 || this.#ended) {
      this.#waiter = undefined;
      waiter.resolve(ok(this.#items.splice(0, waiter.max)));
    }
  }
}
