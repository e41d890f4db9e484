import type { CheckpointStore, OrchestrationError, Option } from '@baton/core';
import { resolveOptions } from '@baton/core/authoring';
import type { Result } from 'neverthrow';
import { z } from 'zod';
import type { TriggerEvent } from './trigger-source.js';

/** Where a trigger records an event whose run failed, when its source has no dead letter. */
export type TriggerDeadLetter = (
  event: TriggerEvent,
  failure: OrchestrationError,
) => void | Promise<void>;

/** Settings of a trigger, set with `withTrigger*` options on `createTrigger`. */
export interface TriggerConfig {
  /**
   * Names the trigger in events, errors and the default run ids (letters, digits, `.`, `_`, `-`).
   * @default 'trigger'
   */
  readonly name: string;
  /**
   * Runs in flight at once; the trigger pulls from its source only while it has room.
   * @default 4
   */
  readonly concurrency: number;
  /**
   * The run's input built from the event.
   * @default the event's payload
   */
  readonly input: ((event: TriggerEvent) => unknown) | undefined;
  /**
   * The run id of an event: the same on every redelivery, which makes runs exactly once.
   * @default `<name>:<event id>` (an event id with other characters than letters, digits and
   * `._:-`, or over 200 characters, is replaced by `h-` and its SHA-256)
   */
  readonly runId: ((event: TriggerEvent) => string) | undefined;
  /**
   * Where runs of a chain target are recorded (a chain has no checkpoints of its own). Required
   * for a chain target.
   * @default undefined
   */
  readonly ledger: CheckpointStore | undefined;
  /**
   * Called with an event whose run failed, before the source's own `deadLetter`; for sources
   * whose dead letter is only a report (the Observable source).
   * @default undefined (the `dead-lettered` entry of `events$` only)
   */
  readonly deadLetter: TriggerDeadLetter | undefined;
  /**
   * First wait after a failed pull or store call, in ms; doubles up to `maxBackoffMs`.
   * @default 100
   */
  readonly backoffMs: number;
  /** @default 5_000 */
  readonly maxBackoffMs: number;
}

/** One option of `createTrigger`. */
export type TriggerOption = Option<TriggerConfig>;

export const DEFAULT_TRIGGER_CONFIG: TriggerConfig = {
  name: 'trigger',
  concurrency: 4,
  input: undefined,
  runId: undefined,
  ledger: undefined,
  deadLetter: undefined,
  backoffMs: 100,
  maxBackoffMs: 5_000,
};

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', {
  message: 'expected a function',
});

const schema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'expected 1 to 100 letters, digits, ".", "_" or "-"'),
    concurrency: z.number().int().min(1).max(10_000),
    input: fn.optional(),
    runId: fn.optional(),
    ledger: z
      .custom<CheckpointStore>(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          typeof (v as CheckpointStore).saveRun === 'function' &&
          typeof (v as CheckpointStore).loadRun === 'function',
        { message: 'expected a CheckpointStore (saveRun, loadRun)' },
      )
      .optional(),
    deadLetter: fn.optional(),
    backoffMs: z.number().int().min(1),
    maxBackoffMs: z.number().int().min(0),
  })
  .refine((c) => c.maxBackoffMs >= c.backoffMs, {
    message: 'maxBackoffMs must be at least backoffMs',
    path: ['maxBackoffMs'],
  }) as unknown as z.ZodType<TriggerConfig>;

export function resolveTriggerConfig(
  options: readonly TriggerOption[],
): Result<Readonly<TriggerConfig>, OrchestrationError> {
  return resolveOptions(DEFAULT_TRIGGER_CONFIG, options, schema, 'createTrigger');
}

/** Names the trigger (events, errors, default run ids). @default 'trigger' */
export function withTriggerName(name: string): TriggerOption {
  return (draft) => {
    draft.name = name;
  };
}

/** Runs in flight at once; the source is pulled only while there is room. @default 4 */
export function withTriggerConcurrency(concurrency: number): TriggerOption {
  return (draft) => {
    draft.concurrency = concurrency;
  };
}

/** Builds a run's input from its event. @default the event's payload */
export function withTriggerInput<P = unknown>(
  input: (event: TriggerEvent<P>) => unknown,
): TriggerOption {
  return (draft) => {
    draft.input = input as (event: TriggerEvent) => unknown;
  };
}

/**
 * Derives a run id from an event; it must give the same id on every redelivery.
 * @default `<trigger name>:<event id>`
 */
export function withTriggerRunId<P = unknown>(
  runId: (event: TriggerEvent<P>) => string,
): TriggerOption {
  return (draft) => {
    draft.runId = runId as (event: TriggerEvent) => string;
  };
}

/** Where runs of a chain target are recorded (`saveRun`/`loadRun`); required for chains. */
export function withTriggerLedger(store: CheckpointStore): TriggerOption {
  return (draft) => {
    draft.ledger = store;
  };
}

/** Receives events whose runs failed (after their retries), before the source's dead letter. */
export function withTriggerDeadLetter(deadLetter: TriggerDeadLetter): TriggerOption {
  return (draft) => {
    draft.deadLetter = deadLetter;
  };
}

/** Waits after a failed pull or store call: `initialMs`, doubling up to `maxMs`. */
export function withTriggerBackoff(initialMs: number, maxMs: number): TriggerOption {
  return (draft) => {
    draft.backoffMs = initialMs;
    draft.maxBackoffMs = maxMs;
  };
}
