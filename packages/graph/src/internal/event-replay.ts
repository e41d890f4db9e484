import { Observable, type Subscriber } from 'rxjs';

/**
 * How many events a run handle keeps for subscribers that come late (besides `run-start`, which
 * it always keeps). A run with more events replays its first event and its last
 * `REPLAY_LIMIT` ones; at most about twice that is held in memory.
 */
const REPLAY_LIMIT = 10_000;

/**
 * A hot stream that replays what it emitted to every new subscriber, then goes on live: the
 * first event, the most recent `limit` events after it, and the completion. A run handle is
 * handed over after its run started (`resume()` resolves asynchronously), so a plain Subject
 * would lose `run-start` for everyone.
 */
export class EventReplay<T> {
  readonly events$: Observable<T>;
  #buffer: T[] = [];
  /** Index in `#buffer` of the oldest kept event after the first one. */
  #head = 1;
  #done = false;
  /** Replaced, never changed in place: an event goes to those subscribed when it was emitted. */
  #subscribers: readonly Subscriber<T>[] = [];

  constructor(private readonly limit = REPLAY_LIMIT) {
    this.events$ = new Observable<T>((subscriber) => {
      const buffer = this.#buffer;
      if (buffer.length > 0) subscriber.next(buffer[0] as T);
      for (let i = this.#head; i < buffer.length && !subscriber.closed; i++)
        subscriber.next(buffer[i] as T);
      if (this.#done) {
        subscriber.complete();
        return undefined;
      }
      this.#subscribers = [...this.#subscribers, subscriber];
      return () => {
        this.#subscribers = this.#subscribers.filter((s) => s !== subscriber);
      };
    });
  }

  next(event: T): void {
    if (this.#done) return;
    const buffer = this.#buffer;
    buffer.push(event);
    if (buffer.length - this.#head > this.limit) {
      this.#head++;
      // Compact once the dropped part is as long as the kept one: amortised O(1) per event.
      if (this.#head > this.limit) {
        this.#buffer = [buffer[0] as T, ...buffer.slice(this.#head)];
        this.#head = 1;
      }
    }
    for (const subscriber of this.#subscribers) subscriber.next(event);
  }

  complete(): void {
    if (this.#done) return;
    this.#done = true;
    const subscribers = this.#subscribers;
    this.#subscribers = [];
    for (const subscriber of subscribers) subscriber.complete();
  }
}
