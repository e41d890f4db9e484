import { AsyncLocalStorage } from 'node:async_hooks';
import { runnable, sequence } from '@baton/core';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import { fromLangChain, withLangChainName } from '../src/from-lang-chain.js';
import { toLangChain } from '../src/to-lang-chain.js';

// What langchain, @langchain/langgraph and @langchain/core/context do on import in Node: LangChain
// hands a runnable's config to the LangChain calls made inside it through AsyncLocalStorage.
AsyncLocalStorageProviderSingleton.initializeGlobalInstance(new AsyncLocalStorage());

/** Records chain and chat model starts with their parent run ids (and the models' tags). */
class Recorder extends BaseCallbackHandler {
  name = 'recorder';
  readonly chains: { runId: string; parentRunId: string | undefined; name: string | undefined }[] =
    [];
  readonly models: { parentRunId: string | undefined; tags: string[] | undefined }[] = [];

  // LangChain's CallbackManager calls handlers with (.., runId, parentRunId, tags, metadata,
  // runType, runName), whatever the declared parameter names say.
  override handleChainStart(
    _chain: Serialized,
    _inputs: unknown,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    _runType?: string,
    runName?: string,
  ): void {
    this.chains.push({ runId, parentRunId, name: runName });
  }

  override handleChatModelStart(
    _llm: Serialized,
    _messages: BaseMessage[][],
    _runId: string,
    parentRunId?: string,
    _extraParams?: Record<string, unknown>,
    tags?: string[],
  ): void {
    this.models.push({ parentRunId, tags });
  }
}

/** A Baton chain whose second step is a LangChain chat model. */
function batonChainAroundModel() {
  const model = new FakeListChatModel({ responses: ['bees buzz'] });
  const ask = runnable('ask', (topic: string) => `tell me about ${topic}`);
  return sequence(
    ask,
    fromLangChain(model.pipe(new StringOutputParser()), withLangChainName('llm')),
  );
}

describe('LangChain callbacks through a Baton run (toLangChain -> Baton -> fromLangChain)', () => {
  it("invoke: the inner model reports to the caller's callbacks as a child of the Baton run, with its tags", async () => {
    const recorder = new Recorder();
    const lc = toLangChain(batonChainAroundModel());
    expect(await lc.invoke('bees', { callbacks: [recorder], tags: ['outer-tag'] })).toBe(
      'bees buzz',
    );
    // toLangChain's run -> the fromLangChain step's LCEL run ('llm') -> the chat model.
    const outer = recorder.chains[0];
    expect(outer?.parentRunId).toBeUndefined();
    const step = recorder.chains.find((c) => c.name === 'llm');
    expect(step?.parentRunId).toBe(outer?.runId);
    expect(recorder.models).toEqual([
      { parentRunId: step?.runId, tags: expect.arrayContaining(['outer-tag']) as unknown },
    ]);
  });

  it('streamEvents shows the inner chat model streaming, and streamLog does not crash', async () => {
    const lc = toLangChain(batonChainAroundModel());
    const events: string[] = [];
    for await (const event of lc.streamEvents('bees', { version: 'v2' })) events.push(event.event);
    expect(events[0]).toBe('on_chain_start');
    expect(events).toContain('on_chat_model_start');
    expect(events).toContain('on_chat_model_stream');
    expect(events.at(-1)).toBe('on_chain_end');
    const paths: string[] = [];
    // Deprecated in LangChain, but still public and used by older LangServe clients.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    for await (const patch of lc.streamLog('bees')) paths.push(...patch.ops.map((op) => op.path));
    expect(paths).toContain('/streamed_output/-');
    expect(paths).toContain('/final_output');
  });
});
