import { BaseRunnable, emitStepError, execute, isBaseRunnable } from './base-runnable.js';
import { OrchestrationError, toOrchestrationError } from './errors.js';
import { abortError } from './abort.js';
import { childPath, emitStepEnd, emitStepStart } from './step-events.js';
import { requireRunnable } from './internal/wrapper-config.js';
import type { EventSink, ExecutionContext, InputOf, OutputOf, Runnable } from './runnable.js';

/** Any Runnable, whatever its types (`never` input so that every Runnable fits). */
export type AnyRunnable = Runnable<never>;

/**
 * Stands in for a step whose input type does not accept the previous step's output, so that
 * `sequence(...)` fails to compile at that argument and the message shows both types.
 */
export interface SequenceBoundaryError<Index extends number, PreviousOutput, StepInput> {
  readonly 'sequence: the previous step output does not fit the input of step': Index;
  readonly previousOutput: PreviousOutput;
  readonly stepInput: StepInput;
}

type Fits<From, To> = [From] extends [To] ? true : false;

type CheckOne<R, Prev, Index extends number> = Index extends 0
  ? R
  : Fits<Prev, InputOf<R>> extends true
    ? R
    : SequenceBoundaryError<Index, Prev, InputOf<R>>;

/** An array of steps (not a tuple): each output must also fit the next input. */
type CheckRest<E, Prev, Index extends number> =
  Fits<OutputOf<E>, InputOf<E>> extends true
    ? Index extends 0
      ? E
      : CheckOne<E, Prev, Index>
    : SequenceBoundaryError<Index, OutputOf<E>, InputOf<E>>;

/**
 * Maps the steps to themselves where each boundary type-checks, and to a SequenceBoundaryError
 * where it does not (tail-recursive, so long sequences compile).
 */
export type CheckedSteps<
  Rs extends readonly unknown[],
  Prev = never,
  Done extends readonly unknown[] = [],
> = Rs extends readonly []
  ? Done
  : Rs extends readonly [infer H, ...infer T]
    ? CheckedSteps<T, OutputOf<H>, [...Done, CheckOne<H, Prev, Done['length']>]>
    : Rs extends readonly (infer E)[]
      ? [...Done, ...CheckRest<E, Prev, Done['length']>[]]
      : never;

/** The input type of a sequence: that of its first step. */
export type SequenceInput<Rs extends readonly unknown[]> = Rs extends readonly [
  infer F,
  ...unknown[],
]
  ? InputOf<F>
  : Rs extends readonly (infer E)[]
    ? InputOf<E>
    : never;

/** The output type of a sequence: that of its last step. */
export type SequenceOutput<Rs extends readonly unknown[]> = Rs extends readonly [
  ...unknown[],
  infer L,
]
  ? OutputOf<L>
  : Rs extends readonly (infer E)[]
    ? OutputOf<E>
    : never;

class Sequence<I, O> extends BaseRunnable<I, O> {
  readonly name = 'sequence';
  readonly #steps: readonly Runnable[];
  /** The steps when every one is a BaseRunnable, so the hot loop can call `run` directly. */
  readonly #direct: readonly BaseRunnable<unknown, unknown>[] | undefined;

  constructor(steps: readonly Runnable[]) {
    super();
    this.#steps = steps;
    const direct = steps.filter(isBaseRunnable);
    this.#direct = direct.length === steps.length ? direct : undefined;
  }

  override run(input: I, ctx: ExecutionContext): Promise<O> {
    if (ctx.sink !== undefined) return this.#runStreamed(input, ctx, ctx.sink);
    const direct = this.#direct;
    return direct ? this.#runDirect(direct, input, ctx) : this.#runExecute(input, ctx);
  }

  async #runDirect(
    steps: readonly BaseRunnable<unknown, unknown>[],
    input: I,
    ctx: ExecutionContext,
  ): Promise<O> {
    const signal = ctx.signal;
    let value: unknown = input;
    for (let i = 0; i < steps.length; i++) {
      if (signal.aborted) throw abortError(signal, this.name);
      const step = steps[i] as BaseRunnable<unknown, unknown>;
      try {
        value = await step.run(value, ctx);
      } catch (error) {
        throw toOrchestrationError(error, step.name);
      }
    }
    return value as O;
  }

  async #runExecute(input: I, ctx: ExecutionContext): Promise<O> {
    const steps = this.#steps;
    const signal = ctx.signal;
    let value: unknown = input;
    for (let i = 0; i < steps.length; i++) {
      if (signal.aborted) throw abortError(signal, this.name);
      const step = steps[i] as Runnable;
      try {
        value = await execute(step, value, ctx);
      } catch (error) {
        throw toOrchestrationError(error, step.name);
      }
    }
    return value as O;
  }

  async #runStreamed(input: I, ctx: ExecutionContext, sink: EventSink): Promise<O> {
    const steps = this.#steps;
    const signal = ctx.signal;
    let value: unknown = input;
    for (let i = 0; i < steps.length; i++) {
      if (signal.aborted) throw abortError(signal, this.name);
      const step = steps[i] as Runnable;
      const path = childPath(ctx, step.name);
      const started = emitStepStart(sink, ctx.runId, step.name, path, i);
      try {
        value = await execute(step, value, { ...ctx, path });
      } catch (error) {
        const e = toOrchestrationError(error, step.name);
        emitStepError(ctx, step.name, e, path);
        throw e;
      }
      emitStepEnd(sink, ctx.runId, step.name, path, value, started, i);
    }
    return value as O;
  }
}

/**
 * Runs steps one after another, each step's output being the next step's input. Every boundary
 * is type-checked: a step that cannot take the previous output is a compile error. The signal is
 * checked between steps; under `stream`, each step gets `step-start`/`step-end` with its index.
 * Wrap plain functions with `runnable(name, fn)` first.
 *
 * @example
 * const pipeline = sequence(
 *   runnable('parse', (text: string) => Number(text)),
 *   runnable('double', (n: number) => n * 2),
 * ); // Runnable<string, number>
 * await pipeline.invoke('21'); // ok(42)
 */
export function sequence<Rs extends readonly AnyRunnable[]>(
  ...steps: Rs & CheckedSteps<Rs>
): Runnable<SequenceInput<Rs>, SequenceOutput<Rs>> {
  const list = steps as readonly unknown[];
  if (list.length === 0) {
    throw new OrchestrationError('invalid_config', 'sequence(...steps): give at least one step', {
      op: 'sequence',
      details: { field: 'steps' },
    });
  }
  list.forEach((step, index) => requireRunnable(step, 'sequence', `steps.${index}`));
  return new Sequence(list as readonly Runnable[]);
}
