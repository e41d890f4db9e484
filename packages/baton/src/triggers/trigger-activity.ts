import type { OrchestrationError } from '@baton/core';

/**
 * What a trigger did, as `trigger.events$` reports it:
 * - `received`: a delivery was pulled from the source;
 * - `started`: its run was durably recorded and started; `resumed`: the run of an earlier
 *   delivery of the event was unfinished and continues; `skipped`: it had completed, nothing ran;
 * - `completed`, `interrupted` (a graph node asked for answers; the run is stored and waits for
 *   `graph.resume(runId, { answers })`), `failed` (after the run's own retries);
 * - `dead-lettered`: a failed event was handed to the dead letter; `released`: handed back to the
 *   source (graceful stop, or a store that could not be reached);
 * - `source-error`: pulling, acknowledging or dead-lettering failed (retried with backoff);
 * - `ended`: the trigger stopped, or its source ended and every run is done.
 */
export type TriggerActivityType =
  | 'received'
  | 'started'
  | 'resumed'
  | 'skipped'
  | 'completed'
  | 'interrupted'
  | 'failed'
  | 'dead-lettered'
  | 'released'
  | 'source-error'
  | 'ended';

/** One entry of `trigger.events$`. */
export interface TriggerActivity {
  readonly type: TriggerActivityType;
  /** The trigger's name. */
  readonly trigger: string;
  readonly eventId?: string;
  readonly runId?: string;
  /** The failure of `failed`, `dead-lettered`, `source-error`, and of a `released` after an error. */
  readonly error?: OrchestrationError;
  readonly timestamp: number;
}

/** Counts of what a trigger did since it was created (`trigger.stats()`). */
export interface TriggerStats {
  readonly received: number;
  readonly started: number;
  readonly resumed: number;
  readonly skipped: number;
  readonly completed: number;
  readonly interrupted: number;
  readonly failed: number;
  readonly deadLettered: number;
  readonly released: number;
  readonly sourceErrors: number;
  /** Deliveries being processed now (never more than the concurrency). */
  readonly inFlight: number;
}

const COUNTED: Record<Exclude<TriggerActivityType, 'ended'>, keyof TriggerStats> = {
  received: 'received',
  started: 'started',
  resumed: 'resumed',
  skipped: 'skipped',
  completed: 'completed',
  interrupted: 'interrupted',
  failed: 'failed',
  'dead-lettered': 'deadLettered',
  released: 'released',
  'source-error': 'sourceErrors',
};

/** Mutable counters behind `stats()`. */
export class TriggerCounters {
  readonly #counts: Record<keyof TriggerStats, number> = {
    received: 0,
    started: 0,
    resumed: 0,
    skipped: 0,
    completed: 0,
    interrupted: 0,
    failed: 0,
    deadLettered: 0,
    released: 0,
    sourceErrors: 0,
    inFlight: 0,
  };

  count(type: TriggerActivityType): void {
    if (type !== 'ended') this.#counts[COUNTED[type]] += 1;
  }

  set inFlight(n: number) {
    this.#counts.inFlight = n;
  }

  snapshot(): TriggerStats {
    return { ...this.#counts };
  }
}
