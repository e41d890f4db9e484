import {
  OrchestrationError,
  runnable,
  type FnOutput,
  type Runnable,
  type StepContext,
} from '@baton/core';
import { err, ok, type Result } from 'neverthrow';

/**
 * Anything with an `invoke(input, options?)` method, such as a LangChain Runnable. It is called
 * with `{ signal }` as its second argument, which LangChain honours.
 */
export interface Invocable<I = never, O = unknown> {
  invoke(input: I, options?: { signal?: AbortSignal }): O;
}

/** A step of a chain: a Runnable, a function `(input, ctx) => ...`, or an {@link Invocable}. */
export type ChainStep<I = never, O = unknown> =
  Runnable<I, O> | ((input: I, ctx: StepContext) => unknown) | Invocable<I>;

/** The input type of a step. */
export type StepInput<S> =
  S extends Runnable<infer I>
    ? I
    : S extends (input: infer I, ctx: StepContext) => unknown
      ? I
      : S extends { invoke(input: infer I, ...rest: never[]): unknown }
        ? I
        : never;

/** The output type of a step: what the next step receives. */
export type StepOutput<S> =
  S extends Runnable<never, infer O>
    ? O
    : S extends (input: never, ctx: never) => infer R
      ? FnOutput<R>
      : S extends { invoke(...args: never[]): infer R }
        ? FnOutput<R>
        : never;

/**
 * Stands in for a step whose input type does not accept the previous step's output, so that
 * `createChain([...])` fails to compile at that step and the message shows both types.
 */
export interface ChainStepMismatch<Index extends number, PreviousOutput, Input> {
  readonly 'createChain: the previous step output does not fit the input of step': Index;
  readonly previousOutput: PreviousOutput;
  readonly stepInput: Input;
}

type Fits<From, To> = [From] extends [To] ? true : false;

/** `never` when step `S` (at `Index`) takes `Prev`, else the mismatch. The first step takes anything. */
type CheckOne<S, Prev, Index extends number> = Index extends 0
  ? never
  : Fits<Prev, StepInput<S>> extends true
    ? never
    : ChainStepMismatch<Index, Prev, StepInput<S>>;

/** An array (not a tuple) of steps `E` after `Prev`: each output must also fit the next input. */
type CheckArray<E, Prev, Index extends number> =
  Fits<StepOutput<E>, StepInput<E>> extends true
    ? CheckOne<E, Prev, Index>
    : ChainStepMismatch<Index, StepOutput<E>, StepInput<E>>;

/**
 * The first step that cannot take its predecessor's output, as a ChainStepMismatch, or `never`
 * when every boundary type-checks. Handles tuples, arrays, and tuples with a rest element
 * (tail-recursive, so that 100-step tuples compile).
 */
export type ChainMismatch<
  S extends readonly unknown[],
  Prev = never,
  Done extends readonly unknown[] = [],
> = S extends readonly []
  ? never
  : S extends readonly [infer H, ...infer T]
    ? [CheckOne<H, Prev, Done['length']>] extends [never]
      ? ChainMismatch<T, StepOutput<H>, [...Done, H]>
      : CheckOne<H, Prev, Done['length']>
    : S extends readonly [...infer Init extends readonly unknown[], infer L]
      ? Init extends readonly (infer E)[]
        ? [CheckArray<E, Prev, Done['length']>] extends [never]
          ? CheckOne<L, StepOutput<E> | Prev, [...Done, E]['length']>
          : CheckArray<E, Prev, Done['length']>
        : never
      : S extends readonly (infer E)[]
        ? CheckArray<E, Prev, Done['length']>
        : never;

/** The input of a chain: its first step's input. */
export type ChainInput<S extends readonly unknown[]> = S extends readonly [infer H, ...unknown[]]
  ? StepInput<H>
  : S extends readonly (infer E)[]
    ? StepInput<E>
    : never;

/** The output of a chain: its last step's output. */
export type ChainOutput<S extends readonly unknown[]> = S extends readonly [...unknown[], infer L]
  ? StepOutput<L>
  : S extends readonly (infer E)[]
    ? StepOutput<E>
    : never;

function isFn(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === 'function';
}

/** True for a Baton Runnable (from any copy of `@baton/core`). */
function isRunnable(value: unknown): value is Runnable {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r['name'] === 'string' &&
    isFn(r['invoke']) &&
    isFn(r['batch']) &&
    isFn(r['batchSettled']) &&
    isFn(r['stream'])
  );
}

function stepName(value: object, index: number): string {
  const named = (value as { name?: unknown }).name;
  if (typeof named === 'string' && named.trim() !== '') return named;
  const getName = (value as { getName?: unknown }).getName;
  if (typeof getName === 'function') {
    const got: unknown = (getName as () => unknown).call(value);
    if (typeof got === 'string' && got.trim() !== '') return got;
  }
  return `step-${index}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object without an invoke method' : `a ${typeof value}`;
}

/** Turns one step into a Runnable, or explains why it cannot be one. */
function toStepRunnable(step: unknown, index: number): Result<Runnable, OrchestrationError> {
  if (isRunnable(step)) return ok(step);
  if (typeof step === 'function') {
    const fn = step as (input: unknown, ctx: StepContext) => unknown;
    return ok(runnable(stepName(fn, index), fn));
  }
  if (typeof step === 'object' && step !== null && isFn((step as { invoke?: unknown }).invoke)) {
    const target = step as Invocable<unknown>;
    return ok(
      runnable(stepName(step, index), (input: unknown, ctx) =>
        target.invoke(input, { signal: ctx.signal }),
      ),
    );
  }
  return err(
    new OrchestrationError(
      'invalid_config',
      `createChain: step #${index} is ${describe(step)}; pass a Runnable, a function (input, ctx) => output, or an object with an invoke(input) method`,
      { op: 'createChain', details: { field: 'steps', index } },
    ),
  );
}

/** Normalizes every step; fails on an empty list or a step that is not usable. */
export function toStepRunnables(steps: unknown): Result<Runnable[], OrchestrationError> {
  let list: unknown[];
  try {
    list = Array.isArray(steps) ? Array.from(steps as unknown[]) : [];
  } catch (cause) {
    return err(unreadable('steps', cause, { field: 'steps' }));
  }
  if (list.length === 0) {
    return err(
      new OrchestrationError(
        'invalid_config',
        'createChain: steps must be a non-empty array of steps',
        {
          op: 'createChain',
          details: { field: 'steps' },
        },
      ),
    );
  }
  const out: Runnable[] = [];
  for (const [index, step] of list.entries()) {
    let r: Result<Runnable, OrchestrationError>;
    try {
      r = toStepRunnable(step, index);
    } catch (cause) {
      // Its getters (name, invoke, getName) throw: it cannot be called as a step either.
      r = err(unreadable(`step #${index}`, cause, { field: 'steps', index }));
    }
    if (r.isErr()) return err(r.error);
    out.push(r.value);
  }
  return ok(out);
}

function unreadable(what: string, cause: unknown, details: Record<string, unknown>) {
  return new OrchestrationError(
    'invalid_config',
    `createChain: ${what} could not be read (reading it threw); pass a Runnable, a function (input, ctx) => output, or an object with an invoke(input) method`,
    { op: 'createChain', cause, details },
  );
}
