import {
  type CheckpointStore,
  type HealthReport,
  type NodeCheckpoint,
  type Option,
  type OrchestrationError,
  type RunCheckpoint,
  type RunPage,
  type RunQuery,
  type StoredRun,
  toOrchestrationError,
} from '@baton/core';
import { healthReport, resolveOptions } from '@baton/core/authoring';
import { attempt } from './internal/attempt.js';
import { errAsync, okAsync, type Result, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { pruneAfterSave, retentionShape, type RetentionConfig } from './checkpoint-retention.js';
import {
  decodeNode,
  decodeRun,
  encodeNode,
  encodeRun,
  latestNodes,
  newestFirst,
  runNotFound,
} from './internal/checkpoint-records.js';
import { matchesQuery, pageOf, parseQuery } from './internal/run-query.js';
import { validateId } from './internal/validate-id.js';

/** Options of {@link createInMemoryCheckpointStore}. */
export type InMemoryCheckpointStoreConfig = RetentionConfig;

const DEFAULTS: InMemoryCheckpointStoreConfig = { retention: undefined };

const schema = z.object(retentionShape) as z.ZodType<InMemoryCheckpointStoreConfig>;

/** Records are kept encoded, as the durable stores keep them: what is loaded is a fresh copy. */
interface Entry {
  run: string | undefined;
  readonly nodes: Map<string, string>;
}

/** Runs a decoding step; what it throws is an OrchestrationError of the codec. */
function decoding<T>(op: string, fn: () => T): ResultAsync<T, OrchestrationError> {
  return attempt(
    () => Promise.resolve(fn()),
    (error) => toOrchestrationError(error, op),
  );
}

class InMemoryStore implements CheckpointStore {
  readonly #runs = new Map<string, Entry>();

  constructor(private readonly config: InMemoryCheckpointStoreConfig) {}

  saveRun(run: RunCheckpoint): ResultAsync<void, OrchestrationError> {
    const op = 'inMemoryCheckpointStore.saveRun';
    const encoded = encodeRun(run, op);
    if (encoded.isErr()) return errAsync(encoded.error);
    this.#entry(run.runId).run = encoded.value;
    return pruneAfterSave(this, this.config.retention, run, op);
  }

  saveNode(record: NodeCheckpoint): ResultAsync<void, OrchestrationError> {
    const encoded = encodeNode(record, 'inMemoryCheckpointStore.saveNode');
    if (encoded.isErr()) return errAsync(encoded.error);
    this.#entry(record.runId).nodes.set(record.node, encoded.value);
    return okAsync(undefined);
  }

  loadRun(runId: string): ResultAsync<StoredRun, OrchestrationError> {
    const op = 'inMemoryCheckpointStore.loadRun';
    const valid = validateId(runId, 'runId', op, 'invalid_input');
    if (valid.isErr()) return errAsync(valid.error);
    const entry = this.#runs.get(runId);
    if (entry?.run === undefined) return errAsync(runNotFound(op, runId));
    const where = `memory:${runId}`;
    const run = entry.run;
    const nodes = [...entry.nodes.values()];
    return decoding(op, () => ({
      run: decodeRun(run, where, op),
      nodes: latestNodes(nodes.map((text) => decodeNode(text, where, op))),
    }));
  }

  listRuns(query?: RunQuery): ResultAsync<RunPage, OrchestrationError> {
    const op = 'inMemoryCheckpointStore.listRuns';
    const parsed = parseQuery(query, op);
    if (parsed.isErr()) return errAsync(parsed.error);
    const stored = [...this.#runs].filter(([, entry]) => entry.run !== undefined);
    return decoding(op, () => {
      const runs = stored
        .map(([runId, entry]) => decodeRun(entry.run as string, `memory:${runId}`, op))
        .filter((run) => matchesQuery(run, parsed.value));
      return pageOf(newestFirst(runs), parsed.value);
    });
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
 * Records go through the same codec as the durable stores (what is loaded is an equal copy, and
 * what they refuse it refuses).
 *
 * @example
 * const result = createInMemoryCheckpointStore(withCheckpointRetention({ keepLast: 10 }));
 * if (result.isErr()) throw result.error;
 * const graph = createGraph(withGraphCheckpointer(result.value));
 */
export function createInMemoryCheckpointStore(
  ...options: Option<InMemoryCheckpointStoreConfig>[]
): Result<CheckpointStore, OrchestrationError> {
  return resolveOptions(DEFAULTS, options, schema, 'createInMemoryCheckpointStore').map(
    (config) => new InMemoryStore(config),
  );
}
