/** Chains built from other packages' parts: LangChain Runnables as steps, @baton/memory memories. */
import { createChain, withChainMemory, withChainOutputKeys } from '@baton/chain';
import { runnable } from '@baton/core';
import { createBufferMemory } from '@baton/memory';
import { RunnableLambda, RunnableSequence, type RunnableConfig } from '@langchain/core/runnables';
import { describe, expect, it } from 'vitest';

describe('LangChain Runnables as steps', () => {
  it('runs RunnableLambda and RunnableSequence steps, with types flowing through', async () => {
    const words = RunnableLambda.from((text: string) => text.split(' '));
    const count = RunnableSequence.from<string[], number>([
      RunnableLambda.from((list: string[]) => list.filter(Boolean)),
      RunnableLambda.from((list: string[]) => list.length),
    ]);
    const chain = createChain([
      words,
      count,
      runnable('label', (n: number) => `${n} words`),
    ])._unsafeUnwrap();
    expect((await chain.invoke('one two  three'))._unsafeUnwrap()).toBe('3 words');
  });

  it('aborts a LangChain step through its config signal', async () => {
    let sawAbort = false;
    const slow = RunnableLambda.from(
      (n: number, config?: RunnableConfig) =>
        new Promise<number>((resolve) => {
          config?.signal?.addEventListener('abort', () => {
            sawAbort = true;
            resolve(n);
          });
        }),
    );
    const controller = new AbortController();
    const chain = createChain([slow])._unsafeUnwrap();
    const pending = chain.invoke(1, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    expect((await pending)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(sawAbort).toBe(true);
  });

  it('maps a LangChain step failure to an OrchestrationError with the cause', async () => {
    const broken = RunnableLambda.from((): number => {
      throw new TypeError('bad prompt');
    });
    const chain = createChain([broken])._unsafeUnwrap();
    const e = (await chain.invoke(1))._unsafeUnwrapErr();
    expect(e.code).toBe('execution_failed');
    expect(e.message).toContain('bad prompt');
  });
});

describe('@baton/memory buffer memory', () => {
  it('remembers the conversation across invocations', async () => {
    const memory = createBufferMemory()._unsafeUnwrap();
    const chain = createChain(
      [
        runnable('reply', ({ question, history }: { question: string; history?: string }) => ({
          answer: `${question.toUpperCase()} | heard before: ${history === '' || history === undefined ? 'nothing' : history.replace(/\n/g, ' / ')}`,
        })),
      ],
      withChainMemory(memory),
      withChainOutputKeys('answer'),
    )._unsafeUnwrap();
    await chain.invoke({ question: 'hi' });
    const second = (await chain.invoke({ question: 'again' }))._unsafeUnwrap();
    expect(second.answer).toBe('AGAIN | heard before: Human: hi / AI: HI | heard before: nothing');
  });
});
