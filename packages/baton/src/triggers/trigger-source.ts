/**
 * The contract between a trigger and where its events come from. A trigger (`createTrigger`)
 * pulls deliveries from a source only while it has room for more runs: pulling is the
 * backpressure. Sources: an rxjs Observable, Redis Streams with a consumer group, an HTTP webhook.
 */

import type { OrchestrationError } from '@baton/core';
import type { Result } from 'neverthrow';

/** One event as a source hands it over. */
export interface TriggerEvent<P = unknown> {
  /**
   * Unique per event and the same on every redelivery (a stream entry id, a webhook's delivery
   * id header, an id the Observable's mapper gives). The run id is derived from it, which is what
   * makes runs exactly once per event.
   */
  readonly id: string;
  readonly payload: P;
  /** 1 on the first delivery, more when the event came back (after a crash or a release). */
  readonly deliveries: number;
}

/** One delivered event and what the trigger does with it when its run has an outcome. */
export interface TriggerDelivery<P = unknown> {
  readonly event: TriggerEvent<P>;
  /**
   * The event's run is durably recorded (started in the checkpoint store or on Temporal) under
   * `runId`. A source that answers a sender (the webhook's HTTP response) answers now; others
   * need not implement it. The event stays unacknowledged until `ack`.
   */
  recorded?(runId: string): void;
  /**
   * Aborts when the source no longer holds the event for this trigger: another consumer took it
   * over (this process paused longer than the source's claim timeout). The trigger then cancels
   * the event's run here and settles nothing — the new holder runs and settles it. Sources whose
   * deliveries cannot be taken over omit it.
   */
  readonly lost?: AbortSignal;
  /**
   * The event's run has a durably recorded outcome (completed, or skipped because it had
   * completed before): the source forgets the event. Never called before that.
   */
  ack(): Promise<Result<void, OrchestrationError>>;
  /**
   * The event was not processed (graceful stop): the source delivers it again, to this consumer
   * or another.
   */
  release(): Promise<Result<void, OrchestrationError>>;
  /**
   * The event's run failed after its retries: the source records the event with `failure` in its
   * dead letter (a stream, a callback) and forgets it, as `ack` does.
   */
  deadLetter(failure: OrchestrationError): Promise<Result<void, OrchestrationError>>;
}

/** Where a trigger's events come from. */
export interface TriggerSource<P = unknown> {
  /** For errors, logs and metrics, e.g. `redis-stream:orders/baton`. */
  readonly name: string;
  /**
   * Up to `max` deliveries (at least one), waiting until one is available. Resolves with an empty
   * array when `signal` aborts. A trigger calls it only while it has room for `max` more runs, so
   * a source that can stop reading (Redis) does not read ahead of the trigger.
   */
  pull(
    max: number,
    signal: AbortSignal,
  ): Promise<Result<readonly TriggerDelivery<P>[], OrchestrationError>>;
  /**
   * True once the source will never deliver again (an Observable completed and its buffer is
   * empty): the trigger then ends when its runs are done. A source that never ends omits it.
   */
  ended?(): boolean;
  /** Releases the source's resources; deliveries not yet acknowledged are handed back. */
  close(): Promise<void>;
}
