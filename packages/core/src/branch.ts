import { BaseRunnable, emitStepError, execute } from './base-runnable.js';
import { OrchestrationError, toOrchestrationError } from './errors.js';
import { abortError } from './abort.js';
import { childPath, emitStepEnd, emitStepStart } from './step-events.js';
import { requireRunnable } from './internal/wrapper-config.js';
import type { ExecutionContext, Runnable } from './runnable.js';

/** Decides whether a case of `branch` applies to the input; may be async. */
export type BranchPredicate<I> = (input: I) => boolean | PromiseLike<boolean>;

/** A case of `branch`: when the predicate holds, the runnable runs. */
export type BranchCase<I, O> = readonly [BranchPredicate<I>, Runnable<I, O>];

class Branch<I, O> extends BaseRunnable<I, O> {
  readonly name = 'branch';

  constructor(
    private readonly cases: readonly BranchCase<I, O>[],
    private readonly otherwise: Runnable<I, O>,
  ) {
    super();
  }

  override async run(input: I, ctx: ExecutionContext): Promise<O> {
    const [chosen, index] = await this.#choose(input, ctx);
    const sink = ctx.sink;
    if (sink === undefined) return execute(chosen, input, ctx);
    const path = childPath(ctx, chosen.name);
    const started = emitStepStart(sink, ctx.runId, chosen.name, path, index);
    try {
      const output = await execute(chosen, input, { ...ctx, path });
      emitStepEnd(sink, ctx.runId, chosen.name, path, output, started, index);
      return output;
    } catch (error) {
      const e = toOrchestrationError(error, chosen.name);
      emitStepError(ctx, chosen.name, e, path);
      throw e;
    }
  }

  /** The first case whose predicate holds (and its index), else the default. */
  async #choose(input: I, ctx: ExecutionContext): Promise<[Runnable<I, O>, number]> {
    const cases = this.cases;
    for (let i = 0; i < cases.length; i++) {
      const [predicate, target] = cases[i] as BranchCase<I, O>;
      let holds: boolean;
      try {
        holds = await predicate(input);
      } catch (error) {
        throw toOrchestrationError(error, `${this.name}: predicate #${i}`);
      }
      if (ctx.signal.aborted) throw abortError(ctx.signal, this.name);
      if (holds) return [target, i];
    }
    return [this.otherwise, cases.length];
  }
}

/**
 * Runs the runnable of the first case whose predicate holds (predicates run in order and may be
 * async), or `otherwise` when none does. Under `stream`, the chosen runnable gets
 * `step-start`/`step-end` with `index` = its case (`cases.length` for the default).
 *
 * @example
 * const route = branch(
 *   [[(q: string) => q.startsWith('/sql'), sqlAgent]],
 *   chatAgent,
 * );
 */
export function branch<I, O>(
  cases: readonly BranchCase<I, O>[],
  otherwise: Runnable<I, O>,
): Runnable<I, O> {
  if (!Array.isArray(cases)) {
    throw new OrchestrationError(
      'invalid_config',
      'branch(cases, otherwise): cases must be an array of [predicate, runnable]',
      {
        op: 'branch',
        details: { field: 'cases' },
      },
    );
  }
  const list = readCases<I, O>(cases);
  list.forEach((pair, i) => requireRunnable(pair[1], 'branch', `cases.${i}.1`));
  requireRunnable(otherwise, 'branch', 'otherwise');
  return new Branch<I, O>(list, otherwise);
}

/** A copy of the cases, each checked to be a `[predicate, runnable]` pair, read once. */
function readCases<I, O>(cases: readonly BranchCase<I, O>[]): BranchCase<I, O>[] {
  const list: BranchCase<I, O>[] = [];
  let i = 0;
  let total = 0;
  try {
    total = cases.length;
    for (const c of cases as readonly unknown[]) {
      if (!Array.isArray(c) || c.length !== 2 || typeof c[0] !== 'function') break;
      list.push([c[0], c[1]] as BranchCase<I, O>);
      i++;
    }
  } catch (cause) {
    throw new OrchestrationError('invalid_config', `branch: cases.${i} could not be read`, {
      op: 'branch',
      cause,
      details: { field: `cases.${i}` },
    });
  }
  if (list.length !== total) {
    throw new OrchestrationError(
      'invalid_config',
      `branch: cases.${i} must be a [predicate, runnable] pair`,
      { op: 'branch', details: { field: `cases.${i}` } },
    );
  }
  return list;
}
