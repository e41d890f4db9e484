import { OrchestrationError, isCancellation, isRetryable, toOrchestrationError } from '@baton/core';
import { sleep } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import { Subject, type Observable } from 'rxjs';
import {
  TriggerCounters,
  type TriggerActivity,
  type TriggerActivityType,
  type TriggerStats,
} from './trigger-activity.js';
import { resolveTriggerConfig, type TriggerConfig, type TriggerOption } from './trigger-options.js';
import { deriveRunId } from './trigger-run-id.js';
import type { TriggerDelivery, TriggerEvent, TriggerSource } from './trigger-source.js';
import {
  runTarget,
  type RunTarget,
  type TargetRun,
  type TriggerTarget,
} from './trigger-targets.js';

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

interface Flight {
  run?: TargetRun;
  cancel?: () => void;
  canceled: boolean;
}

/** A run outcome that is not a failure of the run itself. */
function unsettled(error: OrchestrationError): boolean {
  return isCancellation(error) || error.details.outcomeUnknown === true;
}

class EventTrigger implements Trigger {
  readonly name: string;
  readonly events$: Observable<TriggerActivity>;
  readonly done: Promise<void>;
  readonly #subject = new Subject<TriggerActivity>();
  readonly #counters = new TriggerCounters();
  readonly #flights = new Set<Flight>();
  /** The last processing of each run id, so two deliveries of one event never run at once. */
  readonly #byRun = new Map<string, Promise<void>>();
  readonly #pulling = new AbortController();
  #roomFreed: (() => void) | undefined;
  #started = false;
  #stopping: Promise<void> | undefined;
  #failures = 0;
  #resolveDone!: () => void;

  constructor(
    private readonly source: TriggerSource,
    private readonly target: RunTarget,
    private readonly config: Readonly<TriggerConfig>,
  ) {
    this.name = config.name;
    this.events$ = this.#subject.asObservable();
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  start(): Result<void, OrchestrationError> {
    if (this.#stopping !== undefined || this.#pulling.signal.aborted) {
      const op = `${this.name}.start`;
      return err(
        new OrchestrationError(
          'invalid_state',
          `${op}: the trigger was stopped; create a new one`,
          { op },
        ),
      );
    }
    if (!this.#started) {
      this.#started = true;
      void this.#loop();
    }
    return ok(undefined);
  }

  stop(options: TriggerStopOptions = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.drain ?? true, options.timeoutMs ?? 0);
    return this.#stopping;
  }

  stats(): TriggerStats {
    return this.#counters.snapshot();
  }

  async #stop(drain: boolean, timeoutMs: number): Promise<void> {
    this.#pulling.abort(new Error(`${this.name}: stopping`));
    this.#wake();
    if (!drain) this.#cancelAll();
    else if (timeoutMs > 0 && this.#flights.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([this.#drained(), late]);
      clearTimeout(timer);
      this.#cancelAll();
    }
    if (!this.#started) await this.#finish();
    await this.done;
  }

  #cancelAll(): void {
    for (const flight of this.#flights) {
      flight.canceled = true;
      flight.cancel?.();
    }
  }

  async #drained(): Promise<void> {
    await Promise.all([...this.#byRun.values()]);
  }

  #emit(type: TriggerActivityType, fields: Partial<TriggerActivity> = {}): void {
    this.#counters.count(type);
    this.#subject.next({ type, trigger: this.name, ...fields, timestamp: Date.now() });
  }

  #wake(): void {
    const wake = this.#roomFreed;
    this.#roomFreed = undefined;
    wake?.();
  }

  async #loop(): Promise<void> {
    const signal = this.#pulling.signal;
    const max = this.config.concurrency;
    while (!signal.aborted) {
      const room = max - this.#flights.size;
      if (room <= 0) {
        await new Promise<void>((resolve) => (this.#roomFreed = resolve));
        continue;
      }
      if (this.source.ended?.() === true) break;
      const pulled = await this.#pull(room, signal);
      if (pulled === undefined) continue;
      pulled.forEach((delivery, i) => {
        // Never more runs than the bound, whatever a source hands over.
        if (i >= room || signal.aborted) void this.#release(delivery, undefined);
        else this.#dispatch(delivery);
      });
      if (pulled.length === 0 && !signal.aborted && this.source.ended?.() !== true)
        await this.#pause(this.config.backoffMs);
    }
    await this.#drained();
    await this.#finish();
  }

  /** One pull; `undefined` after a failure (reported, then waited out with backoff). */
  async #pull(room: number, signal: AbortSignal): Promise<readonly TriggerDelivery[] | undefined> {
    let pulled: Result<readonly TriggerDelivery[], OrchestrationError>;
    try {
      pulled = await this.source.pull(room, signal);
    } catch (error) {
      pulled = err(toOrchestrationError(error, `${this.source.name}.pull`, 'dependency_failed'));
    }
    if (pulled.isOk()) {
      this.#failures = 0;
      return pulled.value;
    }
    if (!signal.aborted) {
      this.#emit('source-error', { error: pulled.error });
      await this.#backoff();
    }
    return undefined;
  }

  async #backoff(): Promise<void> {
    this.#failures += 1;
    const { backoffMs, maxBackoffMs } = this.config;
    await this.#pause(Math.min(maxBackoffMs, backoffMs * 2 ** (this.#failures - 1)));
  }

  async #pause(ms: number): Promise<void> {
    await sleep(ms, this.#pulling.signal, this.name).catch(() => undefined);
  }

  async #finish(): Promise<void> {
    try {
      await this.source.close();
    } catch (error) {
      this.#emit('source-error', {
        error: toOrchestrationError(error, `${this.source.name}.close`),
      });
    }
    this.#pulling.abort(new Error(`${this.name}: ended`));
    this.#emit('ended');
    this.#subject.complete();
    this.#resolveDone();
  }

  #dispatch(delivery: TriggerDelivery): void {
    const flight: Flight = { canceled: false };
    this.#flights.add(flight);
    this.#counters.inFlight = this.#flights.size;
    const eventId = delivery.event.id;
    this.#emit('received', { eventId });
    const runId = deriveRunId(this.name, delivery.event, this.config.runId);
    const key = runId.isOk() ? runId.value : `\0${eventId}`;
    const previous = this.#byRun.get(key) ?? Promise.resolve();
    const processing = previous
      .then(() => this.#process(delivery, runId, flight))
      .catch((error: unknown) =>
        this.#emit('source-error', { eventId, error: toOrchestrationError(error, this.name) }),
      )
      .finally(() => {
        this.#flights.delete(flight);
        this.#counters.inFlight = this.#flights.size;
        if (this.#byRun.get(key) === processing) this.#byRun.delete(key);
        this.#wake();
      });
    this.#byRun.set(key, processing);
  }

  async #process(
    delivery: TriggerDelivery,
    derived: Result<string, OrchestrationError>,
    flight: Flight,
  ): Promise<void> {
    const { event } = delivery;
    if (derived.isErr()) return this.#deadLetter(delivery, derived.error, undefined);
    const runId = derived.value;
    if (flight.canceled) return this.#release(delivery, runId);
    const input = this.#input(event);
    if (input.isErr()) return this.#deadLetter(delivery, input.error, runId);
    const begun = await this.target.begin(runId, input.value);
    if (begun.isErr()) {
      // While stopping, a run that could not start (the Orchestrator refuses new runs) is
      // handed back rather than dead-lettered.
      if (this.#pulling.signal.aborted) return this.#release(delivery, runId, begun.error);
      if (isRetryable(begun.error) || begun.error.code === 'dependency_failed') {
        await this.#release(delivery, runId, begun.error);
        return this.#backoff();
      }
      return this.#deadLetter(delivery, begun.error, runId);
    }
    const outcome = begun.value;
    if (outcome.kind === 'failed-before') return this.#deadLetter(delivery, outcome.error, runId);
    this.#recorded(delivery, runId);
    if (outcome.kind === 'skipped') {
      this.#emit('skipped', { eventId: event.id, runId });
      return this.#ack(delivery, runId);
    }
    this.#emit(outcome.kind, { eventId: event.id, runId });
    const result = await this.#outcome(outcome.run, flight);
    if (result === undefined) return this.#release(delivery, runId);
    if (result.isErr() && unsettled(result.error)) {
      // Canceled from elsewhere (a shutdown past its deadline), or the outcome could not be
      // read: nothing is known to have failed, so the event comes back and resumes its run.
      await this.#release(delivery, runId, result.error);
      return this.#backoff();
    }
    if (result.isErr()) {
      this.#emit('failed', { eventId: event.id, runId, error: result.error });
      return this.#deadLetter(delivery, result.error, runId);
    }
    this.#emit(result.value, { eventId: event.id, runId });
    return this.#ack(delivery, runId);
  }

  /** The run's outcome, or `undefined` when a stop canceled it first. */
  async #outcome(
    run: TargetRun,
    flight: Flight,
  ): Promise<Result<'completed' | 'interrupted', OrchestrationError> | undefined> {
    let canceled!: () => void;
    const stopped = new Promise<undefined>((resolve) => (canceled = () => resolve(undefined)));
    flight.cancel = () => {
      run.cancel(`${this.name}: stopped without draining`);
      canceled();
    };
    if (flight.canceled) flight.cancel();
    const result = await Promise.race([run.outcome, stopped]);
    return flight.canceled ? undefined : result;
  }

  #input(event: TriggerEvent): Result<unknown, OrchestrationError> {
    const build = this.config.input;
    if (build === undefined) return ok(event.payload);
    try {
      return ok(build(event));
    } catch (cause) {
      const op = `${this.name}.input`;
      return err(
        new OrchestrationError(
          'invalid_input',
          `${op}: withTriggerInput threw for event "${event.id}"`,
          { op, cause },
        ),
      );
    }
  }

  #recorded(delivery: TriggerDelivery, runId: string): void {
    try {
      delivery.recorded?.(runId);
    } catch (error) {
      this.#emit('source-error', {
        eventId: delivery.event.id,
        runId,
        error: toOrchestrationError(error, `${this.source.name}.recorded`),
      });
    }
  }

  async #settle(
    call: () => Promise<Result<void, OrchestrationError>>,
    op: string,
    delivery: TriggerDelivery,
    runId: string | undefined,
  ): Promise<boolean> {
    let result: Result<void, OrchestrationError>;
    try {
      result = await call();
    } catch (error) {
      result = err(toOrchestrationError(error, op, 'dependency_failed'));
    }
    if (result.isOk()) return true;
    // The event stays with the source, which delivers it again: its run is found and skipped.
    this.#emit('source-error', {
      eventId: delivery.event.id,
      ...(runId === undefined ? {} : { runId }),
      error: result.error,
    });
    return false;
  }

  async #ack(delivery: TriggerDelivery, runId: string): Promise<void> {
    await this.#settle(() => delivery.ack(), `${this.source.name}.ack`, delivery, runId);
  }

  async #release(
    delivery: TriggerDelivery,
    runId: string | undefined,
    error?: OrchestrationError,
  ): Promise<void> {
    const released = await this.#settle(
      () => delivery.release(),
      `${this.source.name}.release`,
      delivery,
      runId,
    );
    if (released)
      this.#emit('released', {
        eventId: delivery.event.id,
        ...(runId === undefined ? {} : { runId }),
        ...(error === undefined ? {} : { error }),
      });
  }

  async #deadLetter(
    delivery: TriggerDelivery,
    failure: OrchestrationError,
    runId: string | undefined,
  ): Promise<void> {
    const ids = { eventId: delivery.event.id, ...(runId === undefined ? {} : { runId }) };
    const callback = this.config.deadLetter;
    if (callback !== undefined) {
      try {
        await callback(delivery.event, failure);
      } catch (error) {
        // Not recorded anywhere yet: the event goes back to the source rather than being lost.
        this.#emit('source-error', {
          ...ids,
          error: toOrchestrationError(error, `${this.name}.deadLetter`),
        });
        return this.#release(delivery, runId, failure);
      }
    }
    const op = `${this.source.name}.deadLetter`;
    if (await this.#settle(() => delivery.deadLetter(failure), op, delivery, runId))
      this.#emit('dead-lettered', { ...ids, error: failure });
  }
}

/**
 * Starts a run of `target` for each event of `source`, exactly once per event id under
 * at-least-once delivery: the run id is derived from the event id (`withTriggerRunId`), a
 * delivery is acknowledged only once its run's outcome is stored, and a redelivered event whose
 * run exists resumes it (unfinished) or is acknowledged without running (completed).
 *
 * Targets: a Graph with checkpoints (`withGraphCheckpointer`), a loaded pipeline, a Chain (with
 * `withTriggerLedger(store)`), or a Temporal Workflow (its workflow id is the run id). Without
 * the store that makes redeliveries detectable, it fails with `invalid_config`.
 *
 * The trigger is created stopped: subscribe to `events$`, then call `start()`.
 *
 * @example
 * const trigger = createTrigger(fromObservable(orders$, { id: (o) => o.orderId }), graph,
 *   withTriggerConcurrency(8));
 * if (trigger.isOk()) trigger.value.start();
 */
export function createTrigger<P>(
  source: TriggerSource<P>,
  target: TriggerTarget,
  ...options: TriggerOption[]
): Result<Trigger, OrchestrationError> {
  const op = 'createTrigger';
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof source.pull !== 'function' ||
    typeof source.close !== 'function'
  ) {
    return err(
      new OrchestrationError(
        'invalid_config',
        `${op}: the source must be a TriggerSource (pull, close), such as fromObservable(...) or webhookSource(...)`,
        { op, details: { field: 'source' } },
      ),
    );
  }
  return resolveTriggerConfig(options).andThen((config) =>
    runTarget(target, config.ledger).map(
      (run) => new EventTrigger(source as TriggerSource, run, config) as Trigger,
    ),
  );
}
