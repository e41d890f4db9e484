import type { DocumentInterface } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { AIMessage } from '@langchain/core/messages';
import { FakeVectorStore } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import { fails, ok } from '../test/helpers.js';
import { withInputKey, withMemoryKey } from './memory-options.js';
import {
  MEMORY_DOC_ID,
  createVectorStoreMemory,
  withExcludeInputKeys,
  withReturnDocs,
  withTopK,
} from './vector-store-memory.js';

/** Deterministic bag-of-words embedding: each word hashed into one of 64 dimensions. */
class HashEmbeddings extends Embeddings {
  constructor() {
    super({});
  }
  static embed(text: string): number[] {
    const vector = new Array<number>(64).fill(0);
    for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
      let hash = 0;
      for (const ch of word) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
      vector[hash % 64] = (vector[hash % 64] ?? 0) + 1;
    }
    const norm = Math.hypot(...vector) || 1;
    return vector.map((v) => v / norm);
  }
  embedDocuments(texts: string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((t) => HashEmbeddings.embed(t)));
  }
  embedQuery(text: string): Promise<number[]> {
    return Promise.resolve(HashEmbeddings.embed(text));
  }
}

/** LangChain's in-memory store plus deletion by the id this memory puts in the metadata. */
class DeletableStore extends FakeVectorStore {
  deleted: string[] = [];
  override delete(params?: { ids?: string[] }): Promise<void> {
    const ids = params?.ids ?? [];
    this.deleted.push(...ids);
    this.memoryVectors = this.memoryVectors.filter(
      (v) => !ids.includes(v.metadata[MEMORY_DOC_ID] as string),
    );
    return Promise.resolve();
  }
}

const facts = [
  ['my favourite colour is blue', 'noted, blue'],
  ['I live in Lisbon by the sea', 'Lisbon is lovely'],
  ['my dog is called Rex', 'hello Rex'],
] as const;

async function filled(
  store: FakeVectorStore,
  ...options: Parameters<typeof createVectorStoreMemory>[1][]
) {
  const memory = await ok(createVectorStoreMemory(store, ...options));
  for (const [input, output] of facts) await ok(memory.save({ input }, { output }));
  return memory;
}

describe('createVectorStoreMemory', () => {
  it('returns the documents most similar to the input', async () => {
    const memory = await filled(new FakeVectorStore(new HashEmbeddings()), withTopK(1));
    expect(await ok(memory.load({ input: 'what is my favourite colour?' }))).toEqual({
      history: 'input: my favourite colour is blue\noutput: noted, blue',
    });
    const dog = await ok(memory.load({ input: 'what is my dog called' }));
    expect(dog['history']).toContain('Rex');
  });

  it('returns LangChain documents with withReturnDocs, under a custom key', async () => {
    const memory = await filled(
      new FakeVectorStore(new HashEmbeddings()),
      withReturnDocs(),
      withMemoryKey('facts'),
      withTopK(2),
    );
    const docs = (await ok(memory.load({ input: 'where do I live, Lisbon?' })))[
      'facts'
    ] as DocumentInterface[];
    expect(docs).toHaveLength(2);
    expect(docs[0]?.pageContent).toContain('Lisbon');
  });

  it('clear() deletes its documents through delete({ ids }) when the store supports it', async () => {
    const store = new DeletableStore(new HashEmbeddings());
    const memory = await filled(store);
    expect(store.memoryVectors).toHaveLength(3);
    await ok(memory.clear());
    expect(store.memoryVectors).toHaveLength(0);
    expect(store.deleted).toHaveLength(3);
    expect(await ok(memory.load({ input: 'blue' }))).toEqual({ history: '' });
  });

  it('clear() hides its documents when the store cannot delete, still returning topK new ones', async () => {
    const store = new FakeVectorStore(new HashEmbeddings()); // its delete() is "Not implemented"
    const memory = await filled(store, withTopK(2));
    await ok(memory.clear());
    expect(await ok(memory.load({ input: 'my favourite colour is blue' }))).toEqual({
      history: '',
    });
    await ok(memory.save({ input: 'my favourite colour is now green' }, { output: 'ok' }));
    await ok(memory.save({ input: 'I moved to Porto' }, { output: 'ok' }));
    const after = (await ok(memory.load({ input: 'my favourite colour is blue' })))[
      'history'
    ] as string;
    expect(after).toContain('green');
    expect(after).toContain('Porto');
    expect(after).not.toContain('blue\n');
  });

  it('handles non-string inputs and outputs', async () => {
    const memory = await ok(
      createVectorStoreMemory(new FakeVectorStore(new HashEmbeddings()), withTopK(1)),
    );
    await ok(
      memory.save({ input: { city: 'Lisbon', zip: 1000 } }, { output: new AIMessage('a city') }),
    );
    expect(await ok(memory.load({ input: { city: 'Lisbon' } }))).toEqual({
      history: 'input: {"city":"Lisbon","zip":1000}\noutput: a city',
    });
  });

  it('leaves out excluded and memory keys, and uses the chosen input key as the query', async () => {
    const memory = await ok(
      createVectorStoreMemory(
        new FakeVectorStore(new HashEmbeddings()),
        withExcludeInputKeys(['context']),
        withInputKey('q'),
      ),
    );
    await ok(
      memory.save({ q: 'tea or coffee', context: 'huge', history: 'old' }, { output: 'tea' }),
    );
    const loaded = await ok(memory.load({ q: 'coffee', context: 'ignored', history: 'x' }));
    expect(loaded['history']).toBe('q: tea or coffee\noutput: tea');
  });

  it('returns nothing without searching for an empty query', async () => {
    const store = new FakeVectorStore(new HashEmbeddings());
    const memory = await filled(store);
    expect(await ok(memory.load({}))).toEqual({ history: '' });
  });

  it('maps vector store failures to dependency_failed instead of throwing', async () => {
    class Broken extends Embeddings {
      embedDocuments(): Promise<number[][]> {
        return Promise.reject(new Error('embedding service down'));
      }
      embedQuery(): Promise<number[]> {
        throw new Error('embedding service down');
      }
    }
    const memory = await ok(createVectorStoreMemory(new FakeVectorStore(new Broken({}))));
    const saved = await fails(memory.save({ input: 'x' }, { output: 'y' }));
    expect(saved.code).toBe('dependency_failed');
    expect(saved.message).toContain('embedding service down');
    expect((await fails(memory.load({ input: 'x' }))).code).toBe('dependency_failed');
  });

  it('rejects invalid arguments with invalid_config naming them', async () => {
    const notAStore = await fails(createVectorStoreMemory({} as never));
    expect(notAStore.code).toBe('invalid_config');
    expect(notAStore.message).toContain('vectorStore');
    const topK = await fails(
      createVectorStoreMemory(new FakeVectorStore(new HashEmbeddings()), withTopK(0)),
    );
    expect(topK.message).toContain('topK');
  });
});
