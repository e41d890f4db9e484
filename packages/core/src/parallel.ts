import { BaseRunnable, emitStepError, execute } from './base-runnable.js';
import { OrchestrationError, toOrchestrationError } from './errors.js';
import { abortError, childController } from './abort.js';
import { childPath, emitStepEnd, emitStepStart } from './step-events.js';
import { requireRunnable } from './internal/wrapper-config.js';
import type { ExecutionContext, Runnable } from './runnable.js';

class Parallel<I, O extends Record<string, unknown>> extends BaseRunnable<I, O> {
  readonly name = 'parallel';
  readonly #keys: readonly string[];
  readonly #branches: readonly Runnable<I>[];

  constructor(branches: Readonly<Record<string, Runnable<I>>>) {
    super();
    this.#keys = Object.keys(branches);
    this.#branches = this.#keys.map((k) => branches[k] as Runnable<I>);
  }

  override async run(input: I, ctx: ExecutionContext): Promise<O> {
    if (ctx.signal.aborted) throw abortError(ctx.signal, this.name);
    const { controller, dispose } = childController(ctx.signal);
    const inner: ExecutionContext = { ...ctx, signal: controller.signal };
    try {
      const outputs = await Promise.all(
        this.#branches.map((branch, i) =>
          this.#runBranch(branch, this.#keys[i] as string, input, inner, controller),
        ),
      );
      const result: Record<string, unknown> = {};
      this.#keys.forEach((key, i) => (result[key] = outputs[i]));
      return result as O;
    } finally {
      dispose();
    }
  }

  async #runBranch(
    branch: Runnable<I>,
    key: string,
    input: I,
    ctx: ExecutionContext,
    controller: AbortController,
  ): Promise<unknown> {
    const sink = ctx.sink;
    const path = sink === undefined ? ctx.path : childPath(ctx, key);
    const started = sink === undefined ? 0 : emitStepStart(sink, ctx.runId, key, path);
    try {
      const output = await execute(branch, input, sink === undefined ? ctx : { ...ctx, path });
      if (sink !== undefined) emitStepEnd(sink, ctx.runId, key, path, output, started);
      return output;
    } catch (error) {
      // The first failure aborts the siblings; their cancellations are not reported as failures.
      if (controller.signal.aborted) throw abortError(controller.signal, this.name);
      const e = toOrchestrationError(error, key);
      controller.abort(e);
      emitStepError(ctx, key, e, path);
      throw e;
    }
  }
}

/** The output of `parallel(branches)`: each key's output. */
export type ParallelOutput<B> = {
  [K in keyof B]: B[K] extends Runnable<never, infer O> ? O : never;
};

/**
 * Runs every branch concurrently on the same input and returns their outputs by key. The first
 * failure aborts the other branches (their signals fire) and fails the run with that error. Under
 * `stream`, each branch gets `step-start`/`step-end` named by its key.
 *
 * @example
 * const both = parallel({ summary: summarize, keywords: extractKeywords });
 * // Runnable<string, { summary: string; keywords: string[] }>
 */
export function parallel<I, B extends Readonly<Record<string, Runnable<I>>>>(
  branches: B & Readonly<Record<string, Runnable<I>>>,
): Runnable<I, ParallelOutput<B>> {
  if (typeof branches !== 'object' || branches === null || Array.isArray(branches)) {
    throw new OrchestrationError(
      'invalid_config',
      'parallel(branches): give an object of Runnables by key',
      {
        op: 'parallel',
        details: { field: 'branches' },
      },
    );
  }
  let copy: Readonly<Record<string, Runnable<I>>>;
  try {
    copy = { ...branches };
  } catch (cause) {
    throw new OrchestrationError(
      'invalid_config',
      'parallel(branches): branches could not be read; pass a plain object of Runnables by key',
      { op: 'parallel', cause, details: { field: 'branches' } },
    );
  }
  const keys = Object.keys(copy);
  if (keys.length === 0) {
    throw new OrchestrationError('invalid_config', 'parallel(branches): give at least one branch', {
      op: 'parallel',
      details: { field: 'branches' },
    });
  }
  for (const key of keys) requireRunnable(copy[key], 'parallel', `branches.${key}`);
  return new Parallel<I, ParallelOutput<B>>(copy);
}
