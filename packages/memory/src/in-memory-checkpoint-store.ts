import {
  type CheckpointStore,
  type HealthReport,
  type NodeCheckpoint,
  type OrchestrationError,
  type RunCheckpoint,
  type StoredRun,
} from '@baton/core';
import { healthReport } from '@baton/core/authoring';
import { errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import {
  encodeNode,
  encodeRun,
  latestNodes,
  newestFirst,
  runNotFound,
} from './internal/checkpoint-records.js';
import { validateId } from './internal/validate-id.js';

interface Entry {
  run: RunCheckpoint | undefined;
  readonly nodes: Map<string, NodeCheckpoint>;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

class InMemoryStore implements CheckpointStore {
  readonly #runs = new Map<string, Entry>();

  saveRun(run: RunCheckpoint): ResultAsync<void, OrchestrationError> {
    const encoded = encodeRun(run, 'inMemoryCheckpointStore.saveRun');
    if (encoded.isErr()) return errAsync(encoded.error);
    this.#entry(run.runId).run = encoded.value.record;
    return okAsync(undefined);
  }

  saveNode(record: NodeCheckpoint): ResultAsync<void, OrchestrationError> {
    const encoded = encodeNode(record, 'inMemoryCheckpointStore.saveNode');
    if (encoded.isErr()) return errAsync(encoded.error);
    this.#entry(record.runId).nodes.set(record.node, encoded.value.record);
    return okAsync(undefined);
  }

  loadRun(runId: string): ResultAsync<StoredRun, OrchestrationError> {
    const op = 'inMemoryCheckpointStore.loadRun';
    const valid = validateId(runId, 'runId', op, 'invalid_input');
    if (valid.isErr()) return errAsync(valid.error);
    const entry = this.#runs.get(runId);
    if (entry?.run === undefined) return errAsync(runNotFound(op, runId));
    return okAsync({ run: clone(entry.run), nodes: clone(latestNodes(entry.nodes.values())) });
  }

  listRuns(): ResultAsync<RunCheckpoint[], OrchestrationError> {
    const runs: RunCheckpoint[] = [];
    for (const entry of this.#runs.values())
      if (entry.run !== undefined) runs.push(clone(entry.run));
    return okAsync(newestFirst(runs));
  }

  deleteRun(runId: string): ResultAsync<void, OrchestrationError> {
    const valid = validateId(runId, 'runId', 'inMemoryCheckpointStore.deleteRun', 'invalid_input');
    if (valid.isErr()) return errAsync(valid.error);
    this.#runs.delete(runId);
    return okAsync(undefined);
  }

  check(): Promise<HealthReport> {
    return Promise.resolve(
      healthReport('checkpoint-store:memory', 'healthy', { runs: this.#runs.size }),
    );
  }

  #entry(runId: string): Entry {
    let entry = this.#runs.get(runId);
    if (entry === undefined) {
      entry = { run: undefined, nodes: new Map() };
      this.#runs.set(runId, entry);
    }
    return entry;
  }
}

/**
 * A checkpoint store in this process's memory, for tests and runs that need not survive a crash.
 * Records are JSON-cloned on the way in and out, so it behaves like the durable stores.
 *
 * @example
 * const result = createInMemoryCheckpointStore();
 * if (result.isErr()) throw result.error;
 * const graph = createGraph(withGraphCheckpointer(result.value));
 */
export function createInMemoryCheckpointStore(): Result<CheckpointStore, OrchestrationError> {
  return ok(new InMemoryStore());
}
