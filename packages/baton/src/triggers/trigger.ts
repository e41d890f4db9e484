import type { OrchestrationError } from '@baton/core';
import type { Result } from 'neverthrow';
import type { Observable } from 'rxjs';
import type { TriggerActivity, TriggerStats } from './trigger-activity.js';

/** How `trigger.stop` ends the runs in flight. */
export interface TriggerStopOptions {
  /**
   * `true`: runs in flight finish (up to `timeoutMs`, then they are canceled as with `false`).
   * `false`: they are canceled and their deliveries released, so the source delivers them
   * again; their redelivery resumes the run.
   * @default true
   */
  readonly drain?: boolean;
  /**
   * Longest wait for draining runs, in ms; 0 means no limit.
   * @default 0
   */
  readonly timeoutMs?: number;
}

/** Runs a target once per event of a source (see `createTrigger`). */
export interface Trigger {
  readonly name: string;
  /** What the trigger does, as it happens (hot; completes after `ended`). */
  readonly events$: Observable<TriggerActivity>;
  /** Starts pulling from the source. Idempotent; `invalid_state` once stopped. */
  start(): Result<void, OrchestrationError>;
  /**
   * Stops pulling, ends the runs in flight (see {@link TriggerStopOptions}), closes the source.
   * Idempotent: later calls return the same promise.
   */
  stop(options?: TriggerStopOptions): Promise<void>;
  /** Settles when the trigger has ended: stopped, or its source ended and every run is done. */
  readonly done: Promise<void>;
  stats(): TriggerStats;
}
