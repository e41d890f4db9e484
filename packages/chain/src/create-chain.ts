import { OrchestrationError, type Chain, type ChainProvider, type Registry } from '@baton/core';
import { createWithProvider } from '@baton/core/authoring';
import { err, type Result } from 'neverthrow';
import {
  resolveChainConfig,
  type ChainOption,
  type ChainOutputKeysOption,
} from './chain-options.js';
import { defaultChainRegistry } from './chain-registry.js';
import {
  toStepRunnables,
  type ChainInput,
  type ChainOutput,
  type ChainStep,
  type ChainMismatch,
} from './chain-step.js';

/** Any step, whatever its types (`never` input so that every step fits). */
export type AnyChainStep = ChainStep;

/**
 * What `createChain(steps)` returns: a Result holding a `Chain<first input, last output>`, or,
 * when a step cannot take its predecessor's output, the ChainStepMismatch naming that step (so
 * using the result is a compile error that shows both types). The check is on the result rather
 * than the argument so that step functions keep their contextually typed `ctx`.
 */
export type CreateChainResult<
  S extends readonly unknown[],
  O extends readonly ChainOption[] = [],
> = [ChainMismatch<S>] extends [never]
  ? Result<Chain<ChainInput<S>, OutputWith<ChainOutput<S>, O>>, OrchestrationError>
  : ChainMismatch<S>;

/**
 * The output `Out` of the last step as `options` shape it: each `withChainOutputKeys` replaces
 * the output with its keys, so the last one wins, as at run time. Options typed as a plain
 * ChainOption (such as the elements of a `ChainOption[]`) are taken not to pick keys.
 */
type OutputWith<Out, O extends readonly unknown[], Acc = Out> = O extends readonly [
  infer Head,
  ...infer Tail,
]
  ? OutputWith<Out, Tail, OutputAfter<Out, Head, Acc>>
  : O extends readonly [...infer Init, infer Last]
    ? OutputAfter<Out, Last, OutputWith<Out, Init, Acc>>
    : O extends readonly (infer E)[]
      ? Acc | OutputAfter<Out, E, Acc> // the array may be empty
      : Acc;

/**
 * The output after `option`, when it was `Acc` before. Distributes over a union of options, such
 * as `cond ? withChainOutputKeys('a') : withChainOutputKeys('b')`.
 */
type OutputAfter<Out, Option, Acc> =
  Option extends ChainOutputKeysOption<infer K>
    ? '__chainOutputKeys' extends keyof Option
      ? PickedOutput<Out, K>
      : Acc
    : Acc;

/** The output when keys are picked: just those keys of the last step's output. */
type PickedOutput<Out, K extends string> = [K] extends [never]
  ? Out
  : { [P in K]: PickedValue<Out, P> };

/** `Out[P]` for each member of a union `Out`; `unknown` where the key is not in the type. */
type PickedValue<Out, P extends string> = Out extends unknown
  ? P extends keyof Out
    ? Out[P]
    : Out extends Readonly<Record<P, infer V>>
      ? V
      : unknown
  : never;

function build(
  registry: Registry<ChainProvider>,
  steps: unknown,
  options: readonly ChainOption[],
): Result<Chain, OrchestrationError> {
  const config = resolveChainConfig(options);
  if (config.isErr()) return err(config.error);
  const runnables = toStepRunnables(steps);
  if (runnables.isErr()) return err(runnables.error);
  return createWithProvider(registry, 'chain', config.value.provider, (provider) =>
    provider.createChain(runnables.value, config.value),
  );
}

/**
 * Like {@link createChain}, but looks the provider up in `registry` instead of the default
 * registry (an Orchestrator passes its own copy, `defaultChainRegistry().clone()`).
 */
export function createChainWithRegistry<
  const S extends readonly AnyChainStep[],
  const O extends readonly ChainOption[] = [],
>(registry: Registry<ChainProvider>, steps: S, ...options: O): CreateChainResult<S, O> {
  return build(registry, steps, options) as CreateChainResult<S, O>;
}

/**
 * Builds a chain: each step's output is the next step's input. Steps are Runnables, functions
 * `(input, ctx) => output` (wrapped with `runnable`), or objects with `invoke` (such as LangChain
 * Runnables). Types flow from the first step's input to the last step's output; a step that
 * cannot take the previous output is a compile error. Bad steps or options fail with
 * `invalid_config` naming the option; an unknown provider with `not_found` listing the
 * registered ones.
 *
 * @example
 * const chain = createChain(
 *   [runnable('parse', (text: string) => Number(text)), (n: number) => n * 2],
 *   withChainName('double'),
 *   withChainRetries(2),
 * ); // Result<Chain<string, number>, OrchestrationError>
 * if (chain.isErr()) throw chain.error; // invalid_config names the bad option
 * await chain.value.invoke('21'); // ok(42)
 */
export function createChain<
  const S extends readonly AnyChainStep[],
  const O extends readonly ChainOption[] = [],
>(steps: S, ...options: O): CreateChainResult<S, O> {
  return build(defaultChainRegistry(), steps, options) as CreateChainResult<S, O>;
}
