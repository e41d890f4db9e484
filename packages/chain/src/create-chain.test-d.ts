/* eslint-disable @typescript-eslint/no-unsafe-call -- calling .isOk() on deliberately mistyped chains, under @ts-expect-error */
import {
  runnable,
  type Chain,
  type OrchestrationError,
  type Runnable,
  type StepContext,
} from '@baton/core';
import type { Result } from 'neverthrow';
import { describe, expectTypeOf, test } from 'vitest';
import type { ChainStepMismatch } from './chain-step.js';
import {
  withChainName,
  withChainOutputKeys,
  withChainRetries,
  type ChainOption,
} from './chain-options.js';
import { defaultChainRegistry } from './chain-registry.js';
import { createChain, createChainWithRegistry } from './create-chain.js';

const parse = runnable('parse', (text: string) => Number(text));
const double = runnable('double', (n: number) => n * 2);
const show = runnable('show', (n: number) => ({ label: String(n) }));
const literal = runnable('literal', (x: 'a' | 'b') => x);

/** What LangChain's Runnable looks like to a chain: an object with invoke returning a Promise. */
interface LangChainLike<I, O> {
  invoke(input: I, options?: { signal?: AbortSignal; tags?: string[] }): Promise<O>;
}
declare const toWords: LangChainLike<string, string[]>;

describe('createChain types', () => {
  test('input of the first step, output of the last', () => {
    expectTypeOf(createChain([parse, double, show])).toEqualTypeOf<
      Result<Chain<string, { label: string }>, OrchestrationError>
    >();
    expectTypeOf(createChain([parse])).toEqualTypeOf<
      Result<Chain<string, number>, OrchestrationError>
    >();
  });

  test('functions: awaited, Results unwrapped, and ctx typed without annotation', () => {
    const chain = createChain([
      parse,
      async (n: number, ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<StepContext>();
        return n > 0;
      },
      (flag: boolean) => (flag ? 'yes' : 'no'),
    ]);
    expectTypeOf(chain).toEqualTypeOf<Result<Chain<string, 'yes' | 'no'>, OrchestrationError>>();
  });

  test('objects with invoke, such as LangChain Runnables', () => {
    expectTypeOf(createChain([toWords, (w: string[]) => w.length])).toEqualTypeOf<
      Result<Chain<string, number>, OrchestrationError>
    >();
  });

  test('a chain is a Runnable and can be a step of another chain', () => {
    const inner = createChain([parse, double])._unsafeUnwrap();
    expectTypeOf(inner).toExtend<Runnable<string, number>>();
    expectTypeOf(createChain([inner, show])).toEqualTypeOf<
      Result<Chain<string, { label: string }>, OrchestrationError>
    >();
  });

  test('long chains built from arrays', () => {
    const many: Runnable<number, number>[] = Array.from({ length: 100 }, () => double);
    expectTypeOf(createChain(many)).toEqualTypeOf<
      Result<Chain<number, number>, OrchestrationError>
    >();
    expectTypeOf(createChain([parse, ...many, show])).toEqualTypeOf<
      Result<Chain<string, { label: string }>, OrchestrationError>
    >();
    expectTypeOf(createChain([...many, show])).toEqualTypeOf<
      Result<Chain<number, { label: string }>, OrchestrationError>
    >();
    // @ts-expect-error the array's number output cannot feed parse
    createChain([...many, parse]).isOk();
    // @ts-expect-error show's object output cannot feed the number steps after it
    createChain([show, ...many]).isOk();
  });

  test('a mismatched boundary gives a ChainStepMismatch naming the step, and using it is an error', () => {
    expectTypeOf(createChain([parse, parse])).toEqualTypeOf<ChainStepMismatch<1, number, string>>();
    // @ts-expect-error number output does not fit string input
    createChain([parse, parse])._unsafeUnwrap();
    // @ts-expect-error string does not fit 'a' | 'b' (no bivariance loophole)
    createChain([runnable('s', (x: number) => String(x)), literal]).isOk();
    // @ts-expect-error the third boundary is wrong
    createChain([parse, double, show, double]).isOk();
    // @ts-expect-error a function step taking the wrong type
    createChain([parse, (s: string) => s.length]).isOk();
    const bad: Runnable<number, string>[] = [];
    // @ts-expect-error string output cannot feed the next number input
    createChain(bad).isOk();
  });

  test('withChainOutputKeys types the output as just the picked keys', () => {
    const answer = runnable('answer', (q: string) => ({ answer: q, tokens: 3, model: 'm' }));
    expectTypeOf(createChain([answer], withChainOutputKeys('answer', 'tokens'))).toEqualTypeOf<
      Result<Chain<string, { answer: string; tokens: number }>, OrchestrationError>
    >();
    expectTypeOf(
      createChain(
        [answer],
        withChainName('qa'),
        withChainOutputKeys('answer'),
        withChainRetries(1),
      ),
    ).toEqualTypeOf<Result<Chain<string, { answer: string }>, OrchestrationError>>();
    // other options leave the output alone
    expectTypeOf(createChain([answer], withChainName('qa'))).toEqualTypeOf<
      Result<Chain<string, { answer: string; tokens: number; model: string }>, OrchestrationError>
    >();
    // a key the output does not have is typed unknown (and fails at run time)
    expectTypeOf(createChain([answer], withChainOutputKeys('missing'))).toEqualTypeOf<
      Result<Chain<string, { missing: unknown }>, OrchestrationError>
    >();
    // keys only known at run time: any of the output's values
    const keys: string[] = ['answer'];
    expectTypeOf(createChain([answer], withChainOutputKeys(...keys))).toEqualTypeOf<
      Result<Chain<string, { [key: string]: string | number }>, OrchestrationError>
    >();
  });

  test('withChainOutputKeys: the last one wins, and one with no keys keeps the whole output', () => {
    const answer = runnable('answer', (q: string) => ({ answer: q, tokens: 3 }));
    expectTypeOf(
      createChain([answer], withChainOutputKeys('answer'), withChainOutputKeys('tokens')),
    ).toEqualTypeOf<Result<Chain<string, { tokens: number }>, OrchestrationError>>();
    expectTypeOf(
      createChain([answer], withChainOutputKeys('answer'), withChainOutputKeys()),
    ).toEqualTypeOf<
      Result<Chain<string, { answer: string; tokens: number }>, OrchestrationError>
    >();
    expectTypeOf(createChain([parse], withChainOutputKeys())).toEqualTypeOf<
      Result<Chain<string, number>, OrchestrationError>
    >();
  });

  test('withChainOutputKeys: optional keys and index signatures keep their value types', () => {
    const optional = runnable('optional', (q: string): { a?: string; b: number } => ({
      b: q.length,
    }));
    expectTypeOf(createChain([optional], withChainOutputKeys('a', 'b'))).toEqualTypeOf<
      Result<Chain<string, { a: string | undefined; b: number }>, OrchestrationError>
    >();
    const counts = runnable('counts', (q: string): Record<string, number> => ({ [q]: 1 }));
    expectTypeOf(createChain([counts], withChainOutputKeys('x'))).toEqualTypeOf<
      Result<Chain<string, { x: number }>, OrchestrationError>
    >();
    const either = runnable('either', (q: string) => (q ? { a: 1 } : { a: 'x', b: 2 }));
    expectTypeOf(createChain([either], withChainOutputKeys('a'))).toEqualTypeOf<
      Result<Chain<string, { a: number | string }>, OrchestrationError>
    >();
  });

  test('withChainOutputKeys with other parts of the API', () => {
    const answer = runnable('answer', (q: string) => ({ answer: q, tokens: 3 }));
    // a mismatched boundary is still reported
    expectTypeOf(createChain([parse, parse], withChainOutputKeys('answer'))).toEqualTypeOf<
      ChainStepMismatch<1, number, string>
    >();
    // createChainWithRegistry infers the keys the same way
    const registry = defaultChainRegistry().clone();
    expectTypeOf(
      createChainWithRegistry(registry, [answer], withChainOutputKeys('answer')),
    ).toEqualTypeOf<Result<Chain<string, { answer: string }>, OrchestrationError>>();
    // unannotated ctx is still typed from context
    expectTypeOf(
      createChain(
        [
          parse,
          (n: number, ctx) => {
            expectTypeOf(ctx).toEqualTypeOf<StepContext>();
            return { n, aborted: ctx.signal.aborted };
          },
        ],
        withChainOutputKeys('n'),
        withChainRetries(1),
      ),
    ).toEqualTypeOf<Result<Chain<string, { n: number }>, OrchestrationError>>();
    // options in a tuple keep their keys
    const tuple = [withChainName('qa'), withChainOutputKeys('answer')] as const;
    expectTypeOf(createChain([answer], ...tuple)).toEqualTypeOf<
      Result<Chain<string, { answer: string }>, OrchestrationError>
    >();
    // options chosen at run time between keys: one of the picked outputs
    const short = Math.random() > 0.5;
    expectTypeOf(
      createChain(
        [answer],
        short ? withChainOutputKeys('answer') : withChainOutputKeys('answer', 'tokens'),
      ),
    ).toEqualTypeOf<
      Result<
        Chain<string, { answer: string } | { answer: string; tokens: number }>,
        OrchestrationError
      >
    >();
    // options typed as plain ChainOptions (a ChainOption[]) are taken not to pick keys
    const options: ChainOption[] = [withChainName('qa')];
    expectTypeOf(createChain([answer], ...options)).toEqualTypeOf<
      Result<Chain<string, { answer: string; tokens: number }>, OrchestrationError>
    >();
    expectTypeOf(createChain([answer], ...options, withChainOutputKeys('tokens'))).toEqualTypeOf<
      Result<Chain<string, { tokens: number }>, OrchestrationError>
    >();
    expectTypeOf(createChain([answer], withChainOutputKeys('tokens'), ...options)).toEqualTypeOf<
      Result<Chain<string, { tokens: number }>, OrchestrationError>
    >();
    // an array of withChainOutputKeys may be empty: either output
    const picks = [withChainOutputKeys('answer')];
    expectTypeOf(createChain([answer], withChainOutputKeys('tokens'), ...picks)).toEqualTypeOf<
      Result<Chain<string, { tokens: number } | { answer: string }>, OrchestrationError>
    >();
  });
});
