import type { ResultAsync } from 'neverthrow';
import type { OrchestrationError } from './errors.js';

/** Values a chain passes to and receives from memory. */
export type MemoryValues = Readonly<Record<string, unknown>>;

/**
 * Conversation memory: what a chain loads before its first step and saves after its last.
 * Implementations live in `@baton/memory`.
 */
export interface Memory {
  /** Keys `load` returns (e.g. `history`). */
  readonly memoryKeys: readonly string[];
  /** The remembered values for these inputs, keyed by `memoryKeys`. */
  load(inputs: MemoryValues): ResultAsync<Record<string, unknown>, OrchestrationError>;
  /** Records one exchange. */
  save(inputs: MemoryValues, outputs: MemoryValues): ResultAsync<void, OrchestrationError>;
  /** Forgets everything. */
  clear(): ResultAsync<void, OrchestrationError>;
}
