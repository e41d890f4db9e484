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
import { DeliverySettler } from './delivery-settler.js';
import type { Trigger, TriggerStopOptions } from './trigger.js';
import { deriveRunId } from './trigger-run-id.js';
import type { TriggerDelivery, TriggerEvent, TriggerSource } from './trigger-source.js';
import {
  runTarget,
  type RunTarget,
  type TargetRun,
  type TriggerTarget,
} from './trigger-targets.js';

interface Flight {
  run?: TargetRun;
  cancel?: () => void;
  canceled: boolean;
  /** Aborted by a stop that cancels: ends a `begin` still waiting (a Workflow's execution). */
  readonly aborting: AbortController;
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
  /** Releases of deliveries pulled past the bound or while stopping: done before `close()`. */
  readonly #releasing = new Set<Promise<void>>();
  #resolveDone!: () => void;
  readonly #deliveries: DeliverySettler;

  constructor(
    private readonly source: TriggerSource,
    private readonly target: RunTarget,
    private readonly config: Readonly<TriggerConfig>,
  ) {
    this.name = config.name;
    this.events$ = this.#subject.asObservable();
    this.#deliveries = new DeliverySettler(
      this.name,
      source.name,
      config.deadLetter,
      (type, fields) => this.#emit(type, fields),
    );
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
      flight.aborting.abort(new Error(`${this.name}: stopped without draining`));
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
      if (this.source.ended?.() === true) {
        // A run still in flight may release its event back to the source: end only once none is.
        if (this.#flights.size === 0) break;
        await new Promise<void>((resolve) => (this.#roomFreed = resolve));
        continue;
      }
      const pulled = await this.#pull(room, signal);
      if (pulled === undefined) continue;
      pulled.forEach((delivery, i) => {
        // Never more runs than the bound, whatever a source hands over.
        if (i >= room || signal.aborted) this.#track(this.#deliveries.release(delivery, undefined));
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
      // An overflow report (events a push source could not buffer) is not a failing source: the
      // buffered events keep flowing.
      if (typeof pulled.error.details.dropped !== 'number') await this.#backoff();
    }
    return undefined;
  }

  #track(settling: Promise<void>): void {
    this.#releasing.add(settling);
    void settling.finally(() => this.#releasing.delete(settling));
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
    await Promise.all([...this.#releasing]);
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
    const flight: Flight = { canceled: false, aborting: new AbortController() };
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
    if (derived.isErr()) return this.#bury(delivery, derived.error, undefined);
    const runId = derived.value;
    if (flight.canceled) return this.#deliveries.release(delivery, runId);
    if (delivery.lost?.aborted === true) return this.#lost(delivery, runId);
    const input = this.#input(event);
    if (input.isErr()) return this.#bury(delivery, input.error, runId);
    const begun = await this.target.begin(runId, input.value, flight.aborting.signal);
    if (begun.isErr()) {
      // While stopping, a run that could not start (the Orchestrator refuses new runs) is
      // handed back rather than dead-lettered.
      if (this.#pulling.signal.aborted)
        return this.#deliveries.release(delivery, runId, begun.error);
      if (isRetryable(begun.error) || begun.error.code === 'dependency_failed') {
        await this.#deliveries.release(delivery, runId, begun.error);
        return this.#backoff();
      }
      return this.#bury(delivery, begun.error, runId);
    }
    const outcome = begun.value;
    if (outcome.kind === 'failed-before') return this.#bury(delivery, outcome.error, runId);
    this.#deliveries.recorded(delivery, runId);
    if (outcome.kind === 'skipped') {
      this.#emit('skipped', { eventId: event.id, runId });
      return this.#deliveries.ack(delivery, runId);
    }
    this.#emit(outcome.kind, { eventId: event.id, runId });
    const result = await this.#outcome(outcome.run, flight, delivery.lost);
    if (result === 'lost') return this.#lost(delivery, runId);
    if (result === undefined) return this.#deliveries.release(delivery, runId);
    if (result.isErr() && unsettled(result.error)) {
      // Canceled from elsewhere (a shutdown past its deadline), or the outcome could not be
      // read: nothing is known to have failed, so the event comes back and resumes its run.
      await this.#deliveries.release(delivery, runId, result.error);
      return this.#backoff();
    }
    if (result.isErr()) {
      this.#emit('failed', { eventId: event.id, runId, error: result.error });
      return this.#bury(delivery, result.error, runId);
    }
    this.#emit(result.value, { eventId: event.id, runId });
    return this.#deliveries.ack(delivery, runId);
  }

  /** Dead-letters; when the callback failed and the event went back, waits before the next pull. */
  async #bury(
    delivery: TriggerDelivery,
    failure: OrchestrationError,
    runId: string | undefined,
  ): Promise<void> {
    if (await this.#deliveries.deadLetter(delivery, failure, runId)) await this.#backoff();
  }

  /**
   * The run's outcome, `undefined` when a stop canceled it first, or `'lost'` when the source
   * gave the event to another consumer (`delivery.lost`): the run is canceled here.
   */
  async #outcome(
    run: TargetRun,
    flight: Flight,
    lost: AbortSignal | undefined,
  ): Promise<Result<'completed' | 'interrupted', OrchestrationError> | undefined | 'lost'> {
    let canceled!: () => void;
    const stopped = new Promise<undefined>((resolve) => (canceled = () => resolve(undefined)));
    flight.cancel = () => {
      run.cancel(`${this.name}: stopped without draining`);
      canceled();
    };
    const onLost = (): void => {
      run.cancel(`${this.name}: the source gave the event to another consumer`);
      canceled();
    };
    if (flight.canceled) flight.cancel();
    lost?.addEventListener('abort', onLost, { once: true });
    if (lost?.aborted === true) onLost();
    try {
      const result = await Promise.race([run.outcome, stopped]);
      if (lost?.aborted === true) return 'lost';
      return flight.canceled ? undefined : result;
    } finally {
      lost?.removeEventListener('abort', onLost);
    }
  }

  /** The event went to another consumer: its run here is canceled; nothing is settled. */
  #lost(delivery: TriggerDelivery, runId: string): void {
    const op = `${this.name}.run`;
    const error = new OrchestrationError(
      'invalid_state',
      `${op}: event "${delivery.event.id}" was taken over by another consumer (this process paused longer than the source's claim timeout); its run here was canceled and the other consumer settles it`,
      { op, details: { eventId: delivery.event.id, runId } },
    );
    this.#emit('source-error', { eventId: delivery.event.id, runId, error });
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
