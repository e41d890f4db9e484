import { randomUUID } from 'node:crypto';
import {
  OrchestrationError,
  toOrchestrationError,
  type Memory,
  type MemoryValues,
  type Option,
} from '@baton/core';
import { resolveOptions } from '@baton/core/authoring';
import type { DocumentInterface } from '@langchain/core/documents';
import type { VectorStoreInterface } from '@langchain/core/vectorstores';
import { err, ok, type Result, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { attempt } from './internal/attempt.js';
import { pickValue, stringifyValue } from './internal/message-values.js';
import { Mutex } from './internal/serialize.js';

/** The part of a LangChain VectorStore this memory uses. */
export type VectorStoreLike = Pick<
  VectorStoreInterface,
  'addDocuments' | 'similaritySearch' | 'delete'
>;

/** Options of {@link createVectorStoreMemory}. */
export interface VectorStoreMemoryConfig {
  /**
   * The key `load` returns.
   * @default 'history'
   */
  readonly memoryKey: string;
  /**
   * The input key whose value is the search query. When unset: the only input key (ignoring
   * `memoryKey` and `excludeInputKeys`), else `input`, else every input key as JSON.
   * @default undefined
   */
  readonly inputKey: string | undefined;
  /**
   * How many remembered exchanges `load` returns, most relevant first.
   * @default 4
   */
  readonly topK: number;
  /**
   * Whether `load` returns the LangChain documents instead of their texts joined by newlines.
   * @default false
   */
  readonly returnDocs: boolean;
  /**
   * Input keys left out of the saved documents (and of the query), e.g. large context.
   * @default []
   */
  readonly excludeInputKeys: readonly string[];
}

/** Sets how many documents `load` returns. */
export function withTopK(k: number): Option<VectorStoreMemoryConfig> {
  return (draft) => {
    draft.topK = k;
  };
}

/** Makes `load` return LangChain documents (true) or one string (false). */
export function withReturnDocs(enabled = true): Option<VectorStoreMemoryConfig> {
  return (draft) => {
    draft.returnDocs = enabled;
  };
}

/** Leaves these input keys out of saved documents and queries. */
export function withExcludeInputKeys(keys: readonly string[]): Option<VectorStoreMemoryConfig> {
  return (draft) => {
    draft.excludeInputKeys = keys;
  };
}

/** Metadata key holding the id this memory gave a document. */
export const MEMORY_DOC_ID = 'baton_memory_id';

const DEFAULTS: VectorStoreMemoryConfig = {
  memoryKey: 'history',
  inputKey: undefined,
  topK: 4,
  returnDocs: false,
  excludeInputKeys: [],
};

const schema = z.object({
  memoryKey: z.string().min(1, 'expected a non-empty key'),
  inputKey: z.string().min(1, 'expected a non-empty key').optional(),
  topK: z.number().int().positive('expected a positive whole number'),
  returnDocs: z.boolean(),
  excludeInputKeys: z.array(z.string()),
}) as z.ZodType<VectorStoreMemoryConfig>;

function notImplemented(error: unknown): boolean {
  return error instanceof Error && /not implemented/iu.test(error.message);
}

class VectorStoreMemory implements Memory {
  readonly memoryKeys: readonly string[];
  readonly #mutex = new Mutex();
  /** Ids of the documents this memory wrote since its last clear. */
  #written: string[] = [];
  /** Ids cleared in a store that cannot delete: filtered out of every search. */
  readonly #hidden = new Set<string>();

  constructor(
    private readonly store: VectorStoreLike,
    private readonly config: Readonly<VectorStoreMemoryConfig>,
  ) {
    this.memoryKeys = Object.freeze([config.memoryKey]);
  }

  load(inputs: MemoryValues): ResultAsync<Record<string, unknown>, OrchestrationError> {
    const { memoryKey, inputKey, excludeInputKeys, topK, returnDocs } = this.config;
    return attempt(
      async () => {
        const query = stringifyValue(
          pickValue(inputs, inputKey, [memoryKey, ...excludeInputKeys], 'input'),
        );
        let docs: DocumentInterface[] = [];
        if (query.trim() !== '') {
          // Over-fetch by the number of hidden documents so hiding never leaves fewer than topK.
          const found = await this.store.similaritySearch(query, topK + this.#hidden.size);
          docs = found.filter((doc) => !this.#hidden.has(this.#idOf(doc))).slice(0, topK);
        }
        return { [memoryKey]: returnDocs ? docs : docs.map((doc) => doc.pageContent).join('\n') };
      },
      (error) => this.#error('load', error),
    );
  }

  save(inputs: MemoryValues, outputs: MemoryValues): ResultAsync<void, OrchestrationError> {
    return attempt(
      () =>
        this.#mutex.run(async () => {
          const text = this.#documentText(inputs, outputs);
          if (text === '') return;
          const id = randomUUID();
          const doc = { id, pageContent: text, metadata: { [MEMORY_DOC_ID]: id } };
          const ids = await this.store.addDocuments([doc], { ids: [id] });
          this.#written.push(Array.isArray(ids) && typeof ids[0] === 'string' ? ids[0] : id);
        }),
      (error) => this.#error('save', error),
    );
  }

  clear(): ResultAsync<void, OrchestrationError> {
    return attempt(
      () =>
        this.#mutex.run(async () => {
          const ids = this.#written;
          if (ids.length === 0) return;
          try {
            await this.store.delete({ ids });
          } catch (error) {
            if (!notImplemented(error)) throw error;
            // The store cannot delete (e.g. LangChain's in-memory test store): hide them instead.
            for (const id of ids) this.#hidden.add(id);
          }
          this.#written = [];
        }),
      (error) => this.#error('clear', error),
    );
  }

  #documentText(inputs: MemoryValues, outputs: MemoryValues): string {
    const skip = new Set([this.config.memoryKey, ...this.config.excludeInputKeys]);
    const lines: string[] = [];
    for (const [key, value] of Object.entries(inputs)) {
      if (!skip.has(key) && value !== undefined) lines.push(`${key}: ${stringifyValue(value)}`);
    }
    for (const [key, value] of Object.entries(outputs)) {
      if (value !== undefined) lines.push(`${key}: ${stringifyValue(value)}`);
    }
    return lines.join('\n');
  }

  #idOf(doc: DocumentInterface): string {
    const fromMetadata: unknown = (doc.metadata as Record<string, unknown>)[MEMORY_DOC_ID];
    return typeof fromMetadata === 'string' ? fromMetadata : (doc.id ?? '');
  }

  #error(name: string, error: unknown): OrchestrationError {
    return toOrchestrationError(error, `vectorStoreMemory.${name}`, 'dependency_failed');
  }
}

function isVectorStore(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    ['addDocuments', 'similaritySearch', 'delete'].every(
      (method) => typeof (value as Record<string, unknown>)[method] === 'function',
    )
  );
}

/**
 * Remembers each exchange as one document (`key: value` lines of its inputs and outputs) in any
 * LangChain VectorStore, and `load` returns the `topK` documents most similar to the current
 * input. `clear()` deletes the documents this memory wrote through `vectorStore.delete({ ids })`;
 * on a store without deletion (LangChain's in-memory test store), it hides them from every later
 * `load` of this memory instead.
 *
 * @example
 * const store = new MemoryVectorStore(new OpenAIEmbeddings());
 * const memory = createVectorStoreMemory(store, withTopK(2));
 */
export function createVectorStoreMemory(
  vectorStore: VectorStoreLike,
  ...options: Option<VectorStoreMemoryConfig>[]
): Result<Memory, OrchestrationError> {
  const op = 'createVectorStoreMemory';
  return resolveOptions(DEFAULTS, options, schema, op).andThen((config) => {
    if (isVectorStore(vectorStore)) return ok(new VectorStoreMemory(vectorStore, config));
    return err(
      new OrchestrationError(
        'invalid_config',
        `${op}: invalid vectorStore: expected a LangChain VectorStore (addDocuments, similaritySearch, delete)`,
        { op, details: { field: 'vectorStore' } },
      ),
    );
  });
}
