/**
 * The pure runnables the integration tests' workflow bundle holds (registered for nodes marked
 * `withNodePure()`). Sandbox code: deterministic, no I/O; the tests build their in-process
 * runnables from the same functions.
 */
import { registerPureRouters, registerPureRunnables } from '../../src/workflow/index.js';
import type { PureContext } from '../../src/workflow/index.js';

/** How many `mix_<k>` / `boom_<k>` runnables the equivalence test uses. */
export const PURE_KINDS = 9;

/** A deterministic number from any JSON value. */
export function hash(value: unknown): number {
  const text = JSON.stringify(value) ?? '';
  let h = 7;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) % 1_000_003;
  return h;
}

/** What node kind `mix` number `k` returns. */
export const mixOutput = (k: number) => (input: unknown) => (hash(input) + k) % 1000;

/**
 * An `OrchestrationError` as the sandbox can make one without loading `@baton/core` (which
 * recognises an Error named `OrchestrationError` with a string `code`).
 */
export function failure(code: string, message: string, retryable: boolean): Error {
  return Object.assign(new Error(message), { name: 'OrchestrationError', code, retryable });
}

export const boomError = (k: number): Error => failure('invalid_input', `boom ${k}`, false);

const mix: Record<string, (input: unknown) => number> = {};
const boom: Record<string, () => never> = {};
for (let k = 0; k < PURE_KINDS; k++) {
  mix[`mix_${k}`] = mixOutput(k);
  boom[`boom_${k}`] = () => {
    throw boomError(k);
  };
}

/** Doubles a number. */
export const double = (n: number): number => n * 2;
/** Sums the numbers of a record (a join). */
export const total = (parts: Record<string, number>): number =>
  Object.values(parts).reduce((a, b) => a + b, 0);
/** Fails its first attempt (retryable), then adds one. */
export const flakyPure = (n: number, context: PureContext): number => {
  if (context.attempt === 1) throw failure('execution_failed', 'first attempt fails', true);
  return n + 1;
};
/** Always fails, retryably. */
export const alwaysFails = (): never => {
  throw failure('execution_failed', 'always fails', true);
};
/** Fails, not retryably. */
export const refuses = (): never => {
  throw failure('invalid_input', 'refused', false);
};
/** Returns what JSON cannot carry. */
export const notJson = (): unknown => ({ big: 1n });
/** Tries to change its input (a copy: the parent's output stays as it was). */
export const mutates = (input: { list: number[] }): number => {
  input.list.push(99);
  return input.list.length;
};
/** Big outputs go to `large`, small ones to `small`. */
export function bySize(n: number): string {
  return n > 10 ? 'large' : 'small';
}

registerPureRunnables({
  ...mix,
  ...boom,
  double,
  total,
  flakyPure,
  alwaysFails,
  refuses,
  notJson,
  mutates,
});
registerPureRouters({ bySize });
