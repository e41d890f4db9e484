import type { OrchestrationError } from './errors.js';

interface EventBase {
  /** Id of the run the event belongs to. */
  readonly runId: string;
  /** `Date.now()` when the event was emitted. */
  readonly timestamp: number;
}

export interface RunStartEvent extends EventBase {
  readonly type: 'run-start';
  readonly name: string;
}
export interface StepStartEvent extends EventBase {
  readonly type: 'step-start';
  readonly step: string;
  /** Position in a chain or sequence, when there is one. */
  readonly index?: number;
  /** 1 for the first attempt. */
  readonly attempt?: number;
}
export interface ChunkEvent extends EventBase {
  readonly type: 'chunk';
  readonly step: string;
  readonly chunk: unknown;
}
export interface StepEndEvent extends EventBase {
  readonly type: 'step-end';
  readonly step: string;
  readonly output: unknown;
  readonly durationMs: number;
  readonly index?: number;
}
export interface StepSkipEvent extends EventBase {
  readonly type: 'step-skip';
  readonly step: string;
  readonly reason: string;
}
export interface StepRetryEvent extends EventBase {
  readonly type: 'step-retry';
  readonly step: string;
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: OrchestrationError;
}
export interface StepErrorEvent extends EventBase {
  readonly type: 'step-error';
  readonly step: string;
  readonly error: OrchestrationError;
}
export interface RunEndEvent<O> extends EventBase {
  readonly type: 'run-end';
  readonly name: string;
  readonly output: O;
  readonly durationMs: number;
  /**
   * The nodes that failed in a run that succeeded (their failures were absorbed by optional
   * edges or trigger rules), by name. Present only when some node failed.
   */
  readonly failures?: Readonly<Record<string, OrchestrationError>>;
}

/** What `stream()` emits, in order: `run-start`, step events and chunks, then `run-end`. */
export type RunEvent<O = unknown> =
  | RunStartEvent
  | StepStartEvent
  | ChunkEvent
  | StepEndEvent
  | StepSkipEvent
  | StepRetryEvent
  | StepErrorEvent
  | RunEndEvent<O>;

/** Events emitted inside a run (everything but `run-end`, whose output type is the caller's). */
export type StepEvent = Exclude<RunEvent, RunEndEvent<unknown>>;
