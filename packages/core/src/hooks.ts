import { err, ok, type Result } from 'neverthrow';
import { execute } from './base-runnable.js';
import {
  isCancellation,
  isOrchestrationError,
  isRetryable,
  OrchestrationError,
  toOrchestrationError,
} from './errors.js';
import { isResult } from './is-result.js';
import { isRunnable } from './is-runnable.js';
import type { ExecutionContext, Runnable } from './runnable.js';
import { showError, showValue } from './show-value.js';

/** What a hook function sees besides its value. */
export interface HookInfo<I = unknown> {
  /** The node, graph, chain or Runnable the hook is attached to. */
  readonly step: string;
  /** The input of the call (after the `before` hook). */
  readonly input: I;
  readonly runId: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Fires when the run is canceled: a slow hook should stop. */
  readonly signal: AbortSignal;
}

/** What a hook function may return: the value, a promise of it, or a Result. */
export type HookReturn<T> = T | Promise<T> | Result<T, unknown> | PromiseLike<Result<T, unknown>>;

/** What `onError` receives when the hook is a Runnable. */
export interface HookFailure<I = unknown> {
  readonly error: OrchestrationError;
  readonly input: I;
}

/**
 * Code run around a call: `before` may change the input, `after` may change the output,
 * `onError` may recover from a failure with an output (or fail again: throw or return `err`).
 * Each is a function or a Runnable. A hook that fails fails the call with `execution_failed`
 * naming the hook and the step (`details.hook`, `details.step`); a cancellation stays a
 * cancellation, and `onError` is never called for one.
 */
export interface Hooks<I = unknown, O = unknown> {
  /** Runs before the call; its result is the call's input. */
  readonly before?: ((input: I, info: HookInfo<I>) => HookReturn<I>) | Runnable<I, I>;
  /** Runs after a successful call; its result is the call's output. */
  readonly after?: ((output: O, info: HookInfo<I>) => HookReturn<O>) | Runnable<O, O>;
  /**
   * Runs when the call failed (after its retries): return an output to recover, or throw (or
   * return `err`) to fail. Rethrowing the error it got fails the call with that error unchanged.
   */
  readonly onError?:
    ((error: OrchestrationError, info: HookInfo<I>) => HookReturn<O>) | Runnable<HookFailure<I>, O>;
}

/** The names of the hook points. */
export type HookName = keyof Hooks;

const HOOK_NAMES: readonly HookName[] = ['before', 'after', 'onError'];

/**
 * Checks a hooks object: a plain object whose `before`, `after` and `onError` are functions or
 * Runnables. Returns a frozen copy, or an `invalid_config` error naming the bad hook.
 */
export function checkHooks(
  hooks: unknown,
  op: string,
): Result<Readonly<Hooks>, OrchestrationError> {
  const bad = (message: string, field: string): OrchestrationError =>
    new OrchestrationError('invalid_config', `${op}: ${message}`, { op, details: { field } });
  if (typeof hooks !== 'object' || hooks === null) {
    return err(
      bad(
        `hooks must be an object { before?, after?, onError? }, got ${showValue(hooks)}`,
        'hooks',
      ),
    );
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(hooks)) {
    const hook = (hooks as Record<string, unknown>)[key];
    if (!(HOOK_NAMES as readonly string[]).includes(key)) {
      return err(bad(`unknown hook "${key}"; hooks are before, after and onError`, key));
    }
    if (hook === undefined) continue;
    if (typeof hook !== 'function' && !isRunnable(hook)) {
      return err(
        bad(`the ${key} hook must be a function or a Runnable, got ${showValue(hook)}`, key),
      );
    }
    copy[key] = hook;
  }
  return ok(Object.freeze(copy) as Readonly<Hooks>);
}

/** The error of hook `hook` of `step` failing with `cause`. */
function hookError(step: string, hook: HookName, cause: unknown): OrchestrationError {
  const e = toOrchestrationError(cause, `${step}.${hook}`);
  if (isCancellation(e)) return e;
  const reason = isOrchestrationError(cause) ? cause.message : showError(cause);
  return new OrchestrationError('execution_failed', `${step}: its ${hook} hook failed: ${reason}`, {
    op: `${step}.${hook}`,
    cause,
    retryable: isRetryable(e),
    details: { hook, step, code: e.code },
  });
}

/** Unwraps what a hook function returned (a value, a promise, a Result, a promise of one). */
async function settle<T>(returned: HookReturn<T>): Promise<T> {
  const value: unknown = await returned;
  if (isResult(value)) {
    if (value.isErr()) throw value.error;
    return value.value as T;
  }
  return value as T;
}

/** A hook of any point, as `runWithHooks` calls it. */
type AnyHook = ((value: never, info: never) => unknown) | Runnable<never>;

function callHook<T>(
  hook: AnyHook,
  value: unknown,
  info: HookInfo,
  ctx: ExecutionContext,
): Promise<T> {
  if (typeof hook === 'function') {
    try {
      return settle((hook as unknown as (v: unknown, i: HookInfo) => HookReturn<T>)(value, info));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  const runnable = hook as unknown as Runnable<unknown, T>;
  const inner = ctx.sink === undefined ? ctx : { ...ctx, path: [...ctx.path, runnable.name] };
  return execute(runnable, value, inner);
}

function infoOf<I>(step: string, input: I, ctx: ExecutionContext): HookInfo<I> {
  return { step, input, runId: ctx.runId, metadata: ctx.metadata, signal: ctx.signal };
}

/**
 * Runs `body` with `hooks` around it, inside an existing run (for authors of runners: graphs use
 * it per node and per run, chains per run). `step` names the hooked call in errors.
 */
export async function runWithHooks<I, O>(
  hooks: Readonly<Hooks<I, O>> | undefined,
  step: string,
  input: I,
  ctx: ExecutionContext,
  body: (input: I) => Promise<O>,
): Promise<O> {
  if (hooks === undefined) return body(input);
  let value = input;
  if (hooks.before !== undefined) {
    try {
      value = await callHook<I>(hooks.before, input, infoOf(step, input, ctx), ctx);
    } catch (error) {
      throw hookError(step, 'before', error);
    }
  }
  let output: O;
  try {
    output = await body(value);
  } catch (error) {
    const e = toOrchestrationError(error, step);
    if (hooks.onError === undefined || isCancellation(e) || ctx.signal.aborted) throw e;
    const hook = hooks.onError;
    const info = infoOf(step, value, ctx);
    const arg = typeof hook === 'function' ? e : { error: e, input: value };
    try {
      output = await callHook<O>(hook, arg, info, ctx);
    } catch (again) {
      // Rethrowing the error it was given fails the call with it, unchanged.
      if (again === e) throw e;
      throw hookError(step, 'onError', again);
    }
  }
  if (hooks.after === undefined) return output;
  try {
    return await callHook<O>(hooks.after, output, infoOf(step, value, ctx), ctx);
  } catch (error) {
    throw hookError(step, 'after', error);
  }
}
