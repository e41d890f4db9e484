import { toOrchestrationError, type OrchestrationError } from '@baton/core';
import { err, type Result } from 'neverthrow';
import type { TriggerActivity, TriggerActivityType } from './trigger-activity.js';
import type { TriggerDeadLetter } from './trigger-options.js';
import type { TriggerDelivery } from './trigger-source.js';

/** First wait before an event whose dead-letter callback threw goes back to its source. */

/**
 * What a trigger does with a delivery once its run has an outcome: acknowledge, release or
 * dead-letter it, reporting each on `events$`. A source call that fails leaves the event with
 * the source, which delivers it again (its run is then found and skipped or dead-lettered again).
 */
export class DeliverySettler {
  /** Dead-letter callback failures in a row: each waits longer before the event goes back. */

  constructor(
    private readonly trigger: string,
    private readonly source: string,
    private readonly callback: TriggerDeadLetter | undefined,
    private readonly emit: (type: TriggerActivityType, fields: Partial<TriggerActivity>) => void,
  ) {}

  recorded(delivery: TriggerDelivery, runId: string): void {
    try {
      delivery.recorded?.(runId);
    } catch (error) {
      this.emit('source-error', {
        eventId: delivery.event.id,
        runId,
        error: toOrchestrationError(error, `${this.source}.recorded`),
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
    this.emit('source-error', {
      eventId: delivery.event.id,
      ...(runId === undefined ? {} : { runId }),
      error: result.error,
    });
    return false;
  }

  async ack(delivery: TriggerDelivery, runId: string): Promise<void> {
    await this.#settle(() => delivery.ack(), `${this.source}.ack`, delivery, runId);
  }

  async release(
    delivery: TriggerDelivery,
    runId: string | undefined,
    error?: OrchestrationError,
  ): Promise<void> {
    const released = await this.#settle(
      () => delivery.release(),
      `${this.source}.release`,
      delivery,
      runId,
    );
    if (released)
      this.emit('released', {
        eventId: delivery.event.id,
        ...(runId === undefined ? {} : { runId }),
        ...(error === undefined ? {} : { error }),
      });
  }

  /** True when the dead-letter callback failed and the event was released instead. */
  async deadLetter(
    delivery: TriggerDelivery,
    failure: OrchestrationError,
    runId: string | undefined,
  ): Promise<boolean> {
    const ids = { eventId: delivery.event.id, ...(runId === undefined ? {} : { runId }) };
    const callback = this.callback;
    if (callback !== undefined) {
      try {
        await callback(delivery.event, failure);
      } catch (error) {
        // Not recorded anywhere yet: the event goes back to the source rather than being lost;
        // the trigger waits its backoff before the next pull (see createTrigger's #bury).
        this.emit('source-error', {
          ...ids,
          error: toOrchestrationError(error, `${this.trigger}.deadLetter`),
        });
        await this.release(delivery, runId, failure);
        return true;
      }
    }
    const op = `${this.source}.deadLetter`;
    if (await this.#settle(() => delivery.deadLetter(failure), op, delivery, runId))
      this.emit('dead-lettered', { ...ids, error: failure });
    return false;
  }
}
