import { OrchestrationError } from '@baton/core';
import { showValue } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import { createHash } from 'node:crypto';
import type { TriggerEvent } from './trigger-source.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,200}$/;
const MAX_RUN_ID = 256;

/**
 * `<trigger>:<event id>`; an event id that is not safe in a file name, a Redis key or a Temporal
 * workflow id is replaced by `h-<sha-256>`, which is as deterministic and as unique.
 */
function defaultRunId(trigger: string, eventId: string): string {
  if (SAFE_ID.test(eventId)) return `${trigger}:${eventId}`;
  return `${trigger}:h-${createHash('sha256').update(eventId).digest('hex')}`;
}

/** The run id of `event`: the user's derivation, checked, or the default. */
export function deriveRunId(
  trigger: string,
  event: TriggerEvent,
  derive: ((event: TriggerEvent) => string) | undefined,
): Result<string, OrchestrationError> {
  const op = `${trigger}.runId`;
  if (typeof event.id !== 'string' || event.id === '') {
    return err(
      new OrchestrationError(
        'invalid_input',
        `${op}: the event has no id (got ${showValue(event.id)}); a source must give every event a non-empty id`,
        { op },
      ),
    );
  }
  if (derive === undefined) return ok(defaultRunId(trigger, event.id));
  let id: unknown;
  try {
    id = derive(event);
  } catch (cause) {
    return err(
      new OrchestrationError(
        'invalid_input',
        `${op}: withTriggerRunId threw for event "${event.id}"`,
        {
          op,
          cause,
        },
      ),
    );
  }
  if (typeof id === 'string' && id.trim() !== '' && id.length <= MAX_RUN_ID && !/[\s/\\]/.test(id))
    return ok(id);
  return err(
    new OrchestrationError(
      'invalid_input',
      `${op}: withTriggerRunId gave ${showValue(id)} for event "${event.id}"; expected a non-empty string of at most ${MAX_RUN_ID} characters without spaces or slashes`,
      { op, details: { eventId: event.id } },
    ),
  );
}
