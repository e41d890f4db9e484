import {
  OrchestrationError,
  toOrchestrationError,
  type CheckpointStore,
  type StoredRun,
} from '@baton/core';
import { checkpointValuesEqual, showError } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import type { CompiledGraph } from './compile-graph.js';
import { graphError } from './graph-errors.js';
import type { GraphStructure } from './graph-structure.js';
import { staleRecords } from '../scheduling/stale-records.js';

/** What a resumed run starts from. */
export interface Restored {
  readonly input: unknown;
  readonly restored: ReadonlyMap<number, unknown>;
  /** Nodes with a succeeded or skipped record that are decided anew (see `staleRecords`). */
  readonly superseded: readonly string[];
  readonly startedAt: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * The stored outputs of the nodes that succeeded, by node index, keeping only those whose inputs
 * will be the same on resume (see `staleRecords`).
 */
export function restoredNodes(
  structure: GraphStructure,
  graph: CompiledGraph,
  stored: StoredRun,
  op: string,
): Result<Restored, OrchestrationError> {
  const name = structure.config.name;
  if (stored.run.graph !== name) {
    return err(
      graphError(
        'invalid_state',
        'checkpoint-mismatch',
        op,
        `run "${stored.run.runId}" belongs to graph "${stored.run.graph}", not "${name}"`,
      ),
    );
  }
  const restored = new Map<number, unknown>();
  const skipped = new Set<number>();
  for (const record of stored.nodes) {
    if (record.status === 'failed') continue;
    const i = structure.index.get(record.node);
    if (i === undefined) {
      return err(
        graphError(
          'invalid_state',
          'checkpoint-mismatch',
          op,
          `run "${stored.run.runId}" has a node "${record.node}" this graph does not have; was the graph changed?`,
        ),
      );
    }
    if (record.status === 'skipped') skipped.add(i);
    else restored.set(i, record.output);
  }
  const superseded = staleRecords(graph, restored, skipped).map((i) => graph.names[i] as string);
  return ok({
    input: stored.run.input,
    restored,
    superseded,
    startedAt: stored.run.startedAt,
    metadata: stored.run.metadata ?? {},
  });
}

/**
 * The stored run that a nested run continues (`id`: its checkpoint id): one of the same graph
 * with the same input. When there is none, or the store cannot be read, the nested run runs
 * afresh. Records of another run under `id` are deleted first: the fresh run would overwrite only
 * the nodes it gets to, and a later resume would restore the others, computed from another input.
 * Rejects only when that deletion fails.
 */
export async function storedNestedRun(
  store: CheckpointStore,
  structure: GraphStructure,
  graph: CompiledGraph,
  id: string,
  input: unknown,
): Promise<Restored | undefined> {
  const op = `${structure.config.name}.resume`;
  let stored: StoredRun;
  try {
    const loaded = await store.loadRun(id);
    if (loaded.isErr()) return undefined;
    stored = loaded.value;
  } catch {
    return undefined;
  }
  const found = restoredNodes(structure, graph, stored, op);
  if (found.isOk() && sameInput(found.value.input, input)) return found.value;
  await deleteStored(store, id, op);
  return undefined;
}

export async function deleteStored(store: CheckpointStore, id: string, op: string): Promise<void> {
  let deleted: Result<void, OrchestrationError>;
  try {
    deleted = await store.deleteRun(id);
  } catch (error) {
    deleted = err(toOrchestrationError(error, op));
  }
  if (deleted.isErr()) {
    const cause = deleted.error;
    throw new OrchestrationError(
      cause.code,
      `${op}: could not delete the stored run "${id}" of another input or graph before running it afresh: ${cause.message}`,
      { op, cause, retryable: cause.retryable, details: { runId: id } },
    );
  }
}

/**
 * Whether a nested run's input equals the one its stored run had, by content as the checkpoint
 * codec keeps it (a `Map` or a `Date` by its entries or time, which `JSON.stringify` could not
 * tell apart): with another input its stored outputs no longer apply.
 */
export function sameInput(stored: unknown, input: unknown): boolean {
  return checkpointValuesEqual(stored, input);
}

/** The stored run's metadata under the resume's; metadata that cannot be read is an Err. */
export function mergeMetadata(
  stored: Readonly<Record<string, unknown>>,
  given: Readonly<Record<string, unknown>> | undefined,
  op: string,
): Result<Record<string, unknown>, OrchestrationError> {
  try {
    return ok({ ...stored, ...given });
  } catch (cause) {
    return err(
      new OrchestrationError(
        'invalid_config',
        `${op}: metadata could not be read (${showError(cause)}); pass a plain object of values`,
        { op, cause, details: { field: 'metadata' } },
      ),
    );
  }
}
