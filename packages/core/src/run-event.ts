import type { OrchestrationError } from './errors.js';

interface EventBase {
  /** Id of the run the event belongs to. */
  readonly runId: string;
  /** `Date.now()` when the event was emitted. */
  readonly timestamp: number;
}

/** Fields of the events of a step (everything but `run-start` and `run-end`). */
interface StepEventBase extends EventBase {
  /** Name of the step (a graph node, a step of a chain or sequence, a branch of `parallel`). */
  readonly step: string;
  /**
   * Where the step sits in the streamed run: the names of the nodes and steps enclosing it, then
   * its own. A graph node `answer` has `['answer']`, a step `prompt` of a chain run as that node
   * `['answer', 'prompt']`, a step of a top-level chain `['prompt']`. `[]` is the streamed run
   * itself (the chunks of a single Runnable, the error that ends the run).
   */
  readonly path: readonly string[];
}

export interface RunStartEvent extends EventBase {
  readonly type: 'run-start';
  readonly name: string;
}
export interface StepStartEvent extends StepEventBase {
  readonly type: 'step-start';
  /** Position in a chain or sequence, when there is one. */
  readonly index?: number;
  /** 1 for the first attempt. */
  readonly attempt?: number;
}
export interface ChunkEvent extends StepEventBase {
  readonly type: 'chunk';
  readonly chunk: unknown;
}
export interface StepEndEvent extends StepEventBase {
  readonly type: 'step-end';
  readonly output: unknown;
  readonly durationMs: number;
  readonly index?: number;
}
export interface StepSkipEvent extends StepEventBase {
  readonly type: 'step-skip';
  readonly reason: string;
}
export interface StepRetryEvent extends StepEventBase {
  readonly type: 'step-retry';
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: OrchestrationError;
}
export interface StepErrorEvent extends StepEventBase {
  readonly type: 'step-error';
  readonly error: OrchestrationError;
}
/**
 * A graph node asked for an answer with `ctx.interrupt(payload)`: the run stops once its running
 * nodes settle and waits for `graph.resume(runId, { answers: { [key]: answer } })`.
 */
export interface StepInterruptEvent extends StepEventBase {
  readonly type: 'step-interrupt';
  /** The key to answer under: the node's path in the run (`ask`, `sub/ask`, `loop/3`). */
  readonly key: string;
  readonly payload: unknown;
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
  | StepInterruptEvent
  | RunEndEvent<O>;

/** Events emitted inside a run (everything but `run-end`, whose output type is the caller's). */
export type StepEvent = Exclude<RunEvent, RunEndEvent<unknown>>;
