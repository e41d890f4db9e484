/** Test doubles shared by the chain tests. */
import { OrchestrationError, type Memory, type MemoryValues } from '@baton/core';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';

export interface Exchange {
  readonly inputs: MemoryValues;
  readonly outputs: MemoryValues;
}

/** A buffer memory whose `history` is the list of saved exchanges; can be told to fail. */
export interface TestMemory extends Memory {
  readonly exchanges: Exchange[];
  readonly loads: MemoryValues[];
  failLoad: boolean;
  failSave: boolean;
  /** Makes save hang until its promise is released (or never). */
  hangSave: boolean;
}

export function testMemory(): TestMemory {
  const memory: TestMemory = {
    memoryKeys: ['history'],
    exchanges: [],
    loads: [],
    failLoad: false,
    failSave: false,
    hangSave: false,
    load(inputs) {
      memory.loads.push(inputs);
      if (memory.failLoad)
        return errAsync(new OrchestrationError('resource_exhausted', 'store is down'));
      return okAsync({
        history: memory.exchanges.map(
          (e) =>
            `${String(e.inputs['question'])} -> ${String(e.outputs['answer'] ?? e.outputs['output'])}`,
        ),
      });
    },
    save(inputs, outputs) {
      if (memory.failSave) return errAsync(new OrchestrationError('execution_failed', 'disk full'));
      if (memory.hangSave) return new ResultAsync(new Promise(() => undefined));
      memory.exchanges.push({ inputs, outputs });
      return okAsync(undefined);
    },
    clear() {
      memory.exchanges.length = 0;
      return okAsync(undefined);
    },
  };
  return memory;
}

/** Resolves after `ms` milliseconds. */
export const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** A promise that settles when `signal` aborts, recording it. */
export function untilAborted(signal: AbortSignal, record: { aborted: boolean }): Promise<never> {
  return new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => {
      record.aborted = true;
      reject(new Error('aborted'));
    });
  });
}
