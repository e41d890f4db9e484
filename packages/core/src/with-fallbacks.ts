import { BaseRunnable, execute } from './base-runnable.js';
import { isCancellation, OrchestrationError, toOrchestrationError } from './errors.js';
import { abortError } from './abort.js';
import { childPath, emitStepEnd, emitStepStart, trackOutput } from './step-events.js';
import { readSettings, requireRunnable } from './internal/wrapper-config.js';
import type { ExecutionContext, Runnable } from './runnable.js';

export interface FallbackOptions {
  /**
   * Whether to try the next alternative after `error` from alternative `index` (0 is the primary).
   * Cancellation never falls back.
   * @default () => true
   */
  readonly retryOn?: (error: OrchestrationError, index: number) => boolean;
}

function summary(error: OrchestrationError, step: string): Record<string, unknown> {
  return { step, code: error.code, message: error.message };
}

class WithFallbacks<I, O> extends BaseRunnable<I, O> {
  readonly name: string;
  readonly #candidates: readonly Runnable<I, O>[];
  readonly #retryOn: (error: OrchestrationError, index: number) => boolean;

  constructor(candidates: readonly Runnable<I, O>[], options: FallbackOptions) {
    super();
    this.#candidates = candidates;
    this.name = (candidates[0] as Runnable<I, O>).name;
    this.#retryOn = options.retryOn ?? (() => true);
  }

  override async run(input: I, ctx: ExecutionContext): Promise<O> {
    const errors: OrchestrationError[] = [];
    const candidates = this.#candidates;
    for (let index = 0; index < candidates.length; index++) {
      const candidate = candidates[index] as Runnable<I, O>;
      if (ctx.signal.aborted) throw abortError(ctx.signal, this.name);
      const sink = ctx.sink;
      // The primary is this step itself; a fallback is reported as a step of its own.
      const own = sink !== undefined && index > 0;
      const path = own ? childPath(ctx, candidate.name) : ctx.path;
      const started = own
        ? emitStepStart(sink, ctx.runId, candidate.name, path, undefined, index + 1)
        : 0;
      const tracker = trackOutput(own ? { ...ctx, path } : ctx);
      try {
        const output = await execute(candidate, input, tracker.ctx);
        if (own) emitStepEnd(sink, ctx.runId, candidate.name, path, output, started);
        return output;
      } catch (thrown) {
        const error = toOrchestrationError(thrown, candidate.name);
        if (ctx.signal.aborted) throw abortError(ctx.signal, this.name);
        errors.push(error);
        const last = index === candidates.length - 1;
        if (isCancellation(error) || tracker.started() || last || !this.#retryOn(error, index)) {
          throw errors.length === 1 ? error : this.#allFailed(errors);
        }
      }
    }
    throw new OrchestrationError('invalid_state', `${this.name}: no alternative ran`, {
      op: this.name,
    });
  }

  #allFailed(errors: readonly OrchestrationError[]): OrchestrationError {
    const last = errors[errors.length - 1] as OrchestrationError;
    return new OrchestrationError(
      last.code,
      `${this.name}: all ${errors.length} alternatives failed; last error: ${last.message}`,
      {
        op: this.name,
        cause: last,
        retryable: last.retryable,
        details: {
          errors: errors.map((e, i) => summary(e, (this.#candidates[i] as Runnable<I, O>).name)),
        },
      },
    );
  }
}

/**
 * Runs `runnable`; when it fails, tries each of `fallbacks` in order with the same input and
 * returns the first success. When every alternative fails, the run fails with the code of the last
 * error (its cause), and `details.errors` lists each error in order. Under `stream`, an
 * alternative that already emitted a chunk is not followed by the next one, and each fallback tried
 * gets `step-start`/`step-end` (with `attempt` = its position, 2 for the first fallback).
 *
 * @example
 * const model = withFallbacks(primaryModel, [cheaperModel, localModel]);
 */
export function withFallbacks<I, O>(
  runnable: Runnable<I, O>,
  fallbacks: readonly Runnable<I, O>[],
  options: FallbackOptions = {},
): Runnable<I, O> {
  requireRunnable(runnable, 'withFallbacks', 'runnable');
  if (!Array.isArray(fallbacks)) {
    throw new OrchestrationError(
      'invalid_config',
      'withFallbacks: fallbacks must be an array of Runnables',
      {
        op: 'withFallbacks',
        details: { field: 'fallbacks' },
      },
    );
  }
  const list = readList<Runnable<I, O>>(fallbacks);
  list.forEach((f, i) => requireRunnable(f, 'withFallbacks', `fallbacks.${i}`));
  const settings = readSettings(options, 'withFallbacks', 'options');
  if (settings.retryOn !== undefined && typeof settings.retryOn !== 'function') {
    throw new OrchestrationError(
      'invalid_config',
      'withFallbacks: retryOn must be a function (error, index) => boolean',
      {
        op: 'withFallbacks',
        details: { field: 'retryOn', value: settings.retryOn },
      },
    );
  }
  return new WithFallbacks([runnable, ...list], settings);
}

/** A copy of the fallbacks array, read once (an array Proxy may throw on reads). */
function readList<T>(fallbacks: readonly T[]): readonly T[] {
  try {
    return [...fallbacks];
  } catch (cause) {
    throw new OrchestrationError(
      'invalid_config',
      'withFallbacks: fallbacks could not be read; pass a plain array of Runnables',
      { op: 'withFallbacks', cause, details: { field: 'fallbacks' } },
    );
  }
}
