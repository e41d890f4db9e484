import { BaseRunnable, execute } from './base-runnable.js';
import { checkHooks, runWithHooks, type Hooks } from './hooks.js';
import { requireRunnable, unwrapConfig } from './internal/wrapper-config.js';
import type { ExecutionContext, Runnable } from './runnable.js';

class Hooked<I, O> extends BaseRunnable<I, O> {
  readonly name: string;

  constructor(
    private readonly inner: Runnable<I, O>,
    private readonly hooks: Readonly<Hooks<I, O>>,
  ) {
    super();
    this.name = inner.name;
  }

  override run(input: I, ctx: ExecutionContext): Promise<O> {
    return runWithHooks(this.hooks, this.name, input, ctx, (value) =>
      execute(this.inner, value, ctx),
    );
  }
}

/**
 * Runs `hooks` around every call of `runnable`, under invoke, batch and stream alike: `before`
 * may change the input, `after` the output, `onError` may recover with an output. A failing hook
 * fails the call with `execution_failed` naming the hook (`details.hook`) and the Runnable
 * (`details.step`). Graphs and chains take the same hooks as options (`withNodeHooks`,
 * `withGraphHooks`, `withChainHooks`). An invalid hooks object throws `invalid_config`.
 *
 * @example
 * const logged = withHooks(callModel, {
 *   before: (prompt: string) => prompt.trim(),
 *   onError: (error) => `fallback answer (${error.code})`,
 * });
 */
export function withHooks<I, O>(runnable: Runnable<I, O>, hooks: Hooks<I, O>): Runnable<I, O> {
  requireRunnable(runnable, 'withHooks', 'runnable');
  const checked = unwrapConfig(checkHooks(hooks, 'withHooks')) as Readonly<Hooks<I, O>>;
  return new Hooked(runnable, checked);
}
