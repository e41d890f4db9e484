import { lastOutput, type RunEvent } from '@baton/core';
import { AIMessage, AIMessageChunk, HumanMessage } from '@langchain/core/messages';
import { JsonOutputParser, StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import {
  Runnable as LangChainRunnable,
  RunnableLambda,
  type RunnableConfig,
} from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { firstValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ChainStartRecorder } from '../test/support/chain-start-recorder.js';
import { RecordingChatModel } from '../test/support/recording-chat-model.js';
import {
  fromLangChain,
  withLangChainConfig,
  withLangChainName,
  withLangChainStreaming,
} from './from-lang-chain.js';

const prompt = ChatPromptTemplate.fromMessages([
  ['system', 'You are terse.'],
  ['human', 'Tell me about {topic}'],
]);

function chainOf(responses: string[]) {
  const model = new RecordingChatModel({ responses });
  return { model, lc: prompt.pipe(model).pipe(new StringOutputParser()) };
}

async function events<O>(events$: import('rxjs').Observable<RunEvent<O>>): Promise<RunEvent<O>[]> {
  return firstValueFrom(events$.pipe(toArray()));
}

describe('fromLangChain under invoke', () => {
  it('runs a chat model and returns its message', async () => {
    const step = fromLangChain(new FakeListChatModel({ responses: ['hello there'] }));
    const output = (await step.invoke([new HumanMessage('hi')]))._unsafeUnwrap();
    expect(AIMessage.isInstance(output)).toBe(true);
    expect(output.content).toBe('hello there');
  });

  it('runs an LCEL sequence (prompt -> model -> parser)', async () => {
    const { model, lc } = chainOf(['Bees make honey.']);
    const step = fromLangChain(lc, withLangChainName('about'));
    expect(step.name).toBe('about');
    expect((await step.invoke({ topic: 'bees' }))._unsafeUnwrap()).toBe('Bees make honey.');
    expect(model.received[0]?.map((m) => m.content)).toEqual([
      'You are terse.',
      'Tell me about bees',
    ]);
  });

  it('names itself after the LangChain runnable by default', () => {
    expect(fromLangChain(new FakeListChatModel({ responses: ['x'] })).name).toBe(
      'FakeListChatModel',
    );
  });

  it('passes the run signal to LangChain', async () => {
    const model = new RecordingChatModel({ responses: ['ok'] });
    const controller = new AbortController();
    await fromLangChain(model).invoke('hi', { signal: controller.signal });
    expect(model.signals[0]).toBeDefined();
    expect(model.signals[0]?.aborted).toBe(false);
    controller.abort();
    // The model got the run's scoped signal: once the run is over, the caller's abort no longer
    // reaches it (aborting during the run does, see the next test).
    expect(model.signals[0]?.aborted).toBe(false);
  });

  it('aborting the run cancels the LangChain call with task_canceled', async () => {
    const model = new RecordingChatModel({ responses: ['slow'], sleep: 10_000 });
    const controller = new AbortController();
    const pending = fromLangChain(model).invoke('hi', { signal: controller.signal });
    while (model.signals.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const error = (await pending)._unsafeUnwrapErr();
    expect(error.code).toBe('task_canceled');
    expect(model.signals[0]?.aborted).toBe(true);
  });

  it('a run timeout reaches LangChain as a timeout error', async () => {
    const model = new RecordingChatModel({ responses: ['slow'], sleep: 10_000 });
    const error = (await fromLangChain(model).invoke('hi', { timeoutMs: 30 }))._unsafeUnwrapErr();
    expect(error.code).toBe('timeout');
  });

  it('passes metadata, the run id and runName to LangChain', async () => {
    let seen: RunnableConfig | undefined;
    const recorder = new ChainStartRecorder();
    const lambda = RunnableLambda.from((input: string, config?: RunnableConfig) => {
      seen = config;
      return input;
    });
    const step = fromLangChain(
      lambda,
      withLangChainName('echo'),
      withLangChainConfig({
        tags: ['t1'],
        metadata: { team: 'a' },
        callbacks: [recorder],
      }),
    );
    await step.invoke('x', { runId: 'run-42', metadata: { user: 'u1' } });
    expect(seen?.metadata).toMatchObject({ team: 'a', user: 'u1', baton_run_id: 'run-42' });
    expect(seen?.tags).toContain('t1');
    expect(recorder.starts.map((s) => s.runName)).toContain('echo');
  });
});

describe('fromLangChain configuration', () => {
  it("ignores a signal given with withLangChainConfig: only the run's signal cancels", async () => {
    const aborted = new AbortController();
    aborted.abort();
    const step = fromLangChain(
      chainOf(['fine']).lc,
      withLangChainConfig({ signal: aborted.signal }),
    );
    expect((await step.invoke({ topic: 'x' }))._unsafeUnwrap()).toBe('fine');
  });

  it('maps a synchronous throw of a hand-written LangChain runnable', async () => {
    const lambda = RunnableLambda.from((s: string) => s);
    lambda.invoke = () => {
      throw new Error('sync boom');
    };
    const error = (await fromLangChain(lambda).invoke('x'))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      code: 'execution_failed',
      message: expect.stringContaining('sync boom'),
    });
  });
});

describe('fromLangChain under stream', () => {
  it('emits a chunk per LangChain chunk and outputs their concatenation', async () => {
    const invoked = (
      await fromLangChain(new FakeListChatModel({ responses: ['abc'] })).invoke('q')
    )._unsafeUnwrap();
    const step = fromLangChain(new FakeListChatModel({ responses: ['abc'] }));
    const all = await events(step.stream('q'));
    const chunks = all.filter((e) => e.type === 'chunk');
    expect(chunks.map((e) => (e.chunk as AIMessageChunk).content)).toEqual(['a', 'b', 'c']);
    expect(chunks.every((e) => e.step === 'FakeListChatModel')).toBe(true);
    const end = all.at(-1);
    expect(end?.type).toBe('run-end');
    const output = end?.type === 'run-end' ? end.output : undefined;
    expect(AIMessageChunk.isInstance(output)).toBe(true);
    expect(output?.content).toBe(invoked.content);
  });

  it('streams an LCEL sequence: string chunks, joined output equal to invoke', async () => {
    const invoked = (
      await fromLangChain(chainOf(['Bees!']).lc).invoke({ topic: 'bees' })
    )._unsafeUnwrap();
    const step = fromLangChain(chainOf(['Bees!']).lc);
    const all = await events(step.stream({ topic: 'bees' }));
    expect(all.filter((e) => e.type === 'chunk').map((e) => e.chunk)).toEqual([
      'B',
      'e',
      'e',
      's',
      '!',
    ]);
    expect((await lastOutput(step.stream({ topic: 'bees' })))._unsafeUnwrap()).toBe(invoked);
  });

  it("keeps the last value of chunks that don't concatenate (cumulative JSON)", async () => {
    const lc = new FakeListChatModel({ responses: ['{"a": "hello", "b": [1, 2]}'] }).pipe(
      new JsonOutputParser(),
    );
    const invoked = (await fromLangChain(lc).invoke('q'))._unsafeUnwrap();
    const streamed = (await lastOutput(fromLangChain(lc).stream('q')))._unsafeUnwrap();
    expect(streamed).toEqual({ a: 'hello', b: [1, 2] });
    expect(streamed).toEqual(invoked);
  });

  it('with withLangChainStreaming(false) a streamed run calls invoke and emits no chunks', async () => {
    const step = fromLangChain(chainOf(['xyz']).lc, withLangChainStreaming(false));
    const all = await events(step.stream({ topic: 't' }));
    expect(all.some((e) => e.type === 'chunk')).toBe(false);
    expect(all.at(-1)).toMatchObject({ type: 'run-end', output: 'xyz' });
  });

  it('unsubscribing mid-stream aborts the LangChain stream', async () => {
    const response = 'a fairly long answer that streams one character at a time';
    const model = new RecordingChatModel({ responses: [response], sleep: 5 });
    const step = fromLangChain(model);
    let chunks = 0;
    await new Promise<void>((resolve) => {
      const subscription = step.stream('q').subscribe((event) => {
        if (event.type === 'chunk' && ++chunks === 2) {
          subscription.unsubscribe();
          resolve();
        }
      });
    });
    await model.streamFinished;
    expect(model.signals[0]?.aborted).toBe(true);
    expect(model.yielded).toBeLessThan(response.length);
  });

  it('aborting the run signal between chunks stops the model stream too', async () => {
    const response = 'another long answer, streamed slowly enough to be interrupted';
    const model = new RecordingChatModel({ responses: [response], sleep: 5 });
    const controller = new AbortController();
    const seen: string[] = [];
    const done = lastOutput(
      fromLangChain(model)
        .stream('q', { signal: controller.signal })
        .pipe(
          tap((event) => {
            if (event.type !== 'chunk') return;
            seen.push(event.type);
            // Abort from outside the handler, while the adapter waits for the next chunk.
            if (seen.length === 1) setTimeout(() => controller.abort(), 0);
          }),
        ),
    );
    expect((await done)._unsafeUnwrapErr().code).toBe('task_canceled');
    await model.streamFinished;
    expect(model.signals[0]?.aborted).toBe(true);
    expect(model.yielded).toBeLessThan(response.length);
  });

  it('aborting mid-stream returns a LangChain stream that ignores its signal, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let closed: () => void = () => undefined;
      const generatorClosed = new Promise<void>((resolve) => (closed = resolve));
      /** A hand-written LangChain runnable streaming forever, never looking at its signal. */
      class Endless extends LangChainRunnable<string, string> {
        lc_namespace = ['test'];
        override invoke(): Promise<string> {
          return Promise.resolve('never streamed');
        }
        override async *_streamIterator(): AsyncGenerator<string> {
          try {
            for (let i = 0; ; i++) {
              await new Promise((resolve) => setImmediate(resolve));
              yield `c${i}`;
            }
          } finally {
            closed();
          }
        }
      }
      const controller = new AbortController();
      const result = await lastOutput(
        fromLangChain(new Endless())
          .stream('x', { signal: controller.signal })
          .pipe(
            tap((event) => {
              if (event.type === 'chunk' && event.chunk === 'c2')
                setTimeout(() => controller.abort(), 0);
            }),
          ),
      );
      expect(result._unsafeUnwrapErr().code).toBe('task_canceled');
      await generatorClosed; // its finally ran: nothing is left suspended
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a failing stream errors the Observable with a mapped OrchestrationError', async () => {
    const lc = RunnableLambda.from(async function* (_: string) {
      yield 'partial';
      throw new Error('stream broke');
    });
    const result = await lastOutput(fromLangChain(lc, withLangChainName('broken')).stream('x'));
    const error = result._unsafeUnwrapErr();
    expect(error.code).toBe('execution_failed');
    expect(error.message).toContain('stream broke');
    expect(error.op).toBe('broken');
  });
});

describe('fromLangChain bad input', () => {
  it('a prompt missing a variable fails with invalid_input (LangChain error mapped)', async () => {
    const error = (await fromLangChain(chainOf(['x']).lc).invoke({ wrong: 1 }))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('topic');
    expect(error.details).toMatchObject({ lcErrorCode: 'INVALID_PROMPT_INPUT' });
  });

  it('a throwing LangChain step fails with execution_failed and keeps the cause', async () => {
    const cause = new Error('kaput');
    const lc = RunnableLambda.from((_: string): string => {
      throw cause;
    });
    const error = (
      await fromLangChain(lc, withLangChainName('thrower')).invoke('x')
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ code: 'execution_failed', op: 'thrower' });
    expect(error.cause).toBe(cause);
  });

  it.each([[{}], [null], [() => 'x'], [{ invoke: () => 1, stream: () => 1 }]])(
    'refuses a non-Runnable (%#) with invalid_config',
    (value) => {
      expect(() => fromLangChain(value as never)).toThrow(
        expect.objectContaining({
          code: 'invalid_config',
          message: expect.stringContaining('Runnable'),
        }),
      );
    },
  );

  it('refuses an empty name with invalid_config naming the field', () => {
    expect(() => fromLangChain(new StringOutputParser(), withLangChainName(' '))).toThrow(
      expect.objectContaining({ code: 'invalid_config', message: expect.stringContaining('name') }),
    );
  });
});
