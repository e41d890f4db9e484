import { BaseRunnable } from './base-runnable.js';
import type { ExecutionContext, Runnable } from './runnable.js';

class Passthrough<T> extends BaseRunnable<T, T> {
  readonly name = 'passthrough';

  override run(input: T, _ctx: ExecutionContext): Promise<T> {
    return Promise.resolve(input);
  }
}

/**
 * A Runnable that returns its input unchanged, e.g. to keep the input next to computed values
 * in `parallel({ question: passthrough<string>(), context: retrieve })`. Give the type argument:
 * it cannot be inferred from its neighbours.
 *
 * @example
 * const same = passthrough<number>(); // Runnable<number, number>
 */
export function passthrough<T>(): Runnable<T, T> {
  return new Passthrough<T>();
}
