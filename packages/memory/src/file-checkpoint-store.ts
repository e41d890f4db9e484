import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
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
} from '@baton/core';
import { resolveOptions } from '@baton/core/authoring';
import { errAsync, type Result, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import {
  pruneAfterSave,
  retentionShape,
  type CheckpointRetention,
  type RetentionConfig,
} from './checkpoint-retention.js';
import type { DirectoryConfig } from './file-options.js';
import { attempt } from './internal/attempt.js';
import {
  decodeNode,
  decodeRun,
  encodeNode,
  encodeRun,
  latestNodes,
  newestFirst,
  runNotFound,
} from './internal/checkpoint-records.js';
import { directoryHealth } from './internal/directory-health.js';
import { appendDurably, readJsonLines, replaceDurably } from './internal/durable-file.js';
import { fsError } from './internal/fs-errors.js';
import { serialize } from './internal/serialize.js';
import { matchesQuery, pageOf, parseQuery } from './internal/run-query.js';
import { fileNameFor, validateId } from './internal/validate-id.js';

/** Options of {@link createFileCheckpointStore}. */
export interface FileCheckpointStoreConfig extends DirectoryConfig, RetentionConfig {
  /**
   * Directory of the store: one sub-directory per run (`withDirectory`).
   * @default '.baton/checkpoints'
   */
  readonly directory: string;
}

const DEFAULTS: FileCheckpointStoreConfig = {
  directory: '.baton/checkpoints',
  retention: undefined,
};

const schema = z.object({
  directory: z.string().trim().min(1, 'expected a directory path'),
  ...retentionShape,
}) as z.ZodType<FileCheckpointStoreConfig>;

const RUN_FILE = 'run.json';
const NODES_FILE = 'nodes.jsonl';

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'ENOENT';
}

class FileStore implements CheckpointStore {
  constructor(
    readonly directory: string,
    private readonly retention: CheckpointRetention | undefined,
  ) {}

  saveRun(run: RunCheckpoint): ResultAsync<void, OrchestrationError> {
    const op = 'fileCheckpointStore.saveRun';
    const encoded = encodeRun(run, op);
    if (encoded.isErr()) return errAsync(encoded.error);
    const dir = this.#runDir(run.runId);
    return this.#locked(op, dir, () =>
      replaceDurably(join(dir, RUN_FILE), `${encoded.value}\n`),
    ).andThen(() => pruneAfterSave(this, this.retention, run, op));
  }

  saveNode(record: NodeCheckpoint): ResultAsync<void, OrchestrationError> {
    const op = 'fileCheckpointStore.saveNode';
    const encoded = encodeNode(record, op);
    if (encoded.isErr()) return errAsync(encoded.error);
    const dir = this.#runDir(record.runId);
    return this.#locked(op, dir, () => appendDurably(join(dir, NODES_FILE), `${encoded.value}\n`));
  }

  loadRun(runId: string): ResultAsync<StoredRun, OrchestrationError> {
    const op = 'fileCheckpointStore.loadRun';
    const valid = validateId(runId, 'runId', op, 'invalid_input');
    if (valid.isErr()) return errAsync(valid.error);
    const dir = this.#runDir(runId);
    return this.#locked(op, dir, async () => {
      const run = await this.#readRun(dir, op);
      if (run === undefined) throw runNotFound(op, runId);
      const nodesPath = join(dir, NODES_FILE);
      const lines = await readJsonLines(nodesPath, op, (line) => line);
      const nodes = lines.map(({ value, line }) =>
        decodeNode(value as string, `${nodesPath}:${line}`, op),
      );
      return { run, nodes: latestNodes(nodes) };
    });
  }

  listRuns(query?: RunQuery): ResultAsync<RunPage, OrchestrationError> {
    const op = 'fileCheckpointStore.listRuns';
    const parsed = parseQuery(query, op);
    if (parsed.isErr()) return errAsync(parsed.error);
    const q = parsed.value;
    return attempt(
      async () => {
        let entries;
        try {
          entries = await readdir(this.directory, { withFileTypes: true });
        } catch (error) {
          if (isMissing(error)) return { runs: [] };
          throw error;
        }
        const runs = await Promise.all(
          entries
            .filter((e) => e.isDirectory())
            .map((e) => this.#readRun(join(this.directory, e.name), op)),
        );
        const found = runs.filter((r): r is RunCheckpoint => r !== undefined && matchesQuery(r, q));
        return pageOf(newestFirst(found), q);
      },
      (error) => fsError(error, op, this.directory),
    );
  }

  deleteRun(runId: string): ResultAsync<void, OrchestrationError> {
    const op = 'fileCheckpointStore.deleteRun';
    const valid = validateId(runId, 'runId', op, 'invalid_input');
    if (valid.isErr()) return errAsync(valid.error);
    const dir = this.#runDir(runId);
    return this.#locked(op, dir, () => rm(dir, { recursive: true, force: true }));
  }

  check(): Promise<HealthReport> {
    return directoryHealth('checkpoint-store:file', this.directory);
  }

  /** The run record in `dir`, or undefined when there is none (unknown or deleted run). */
  async #readRun(dir: string, op: string): Promise<RunCheckpoint | undefined> {
    const path = join(dir, RUN_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    return decodeRun(text.trimEnd(), path, op);
  }

  #runDir(runId: string): string {
    return join(this.directory, fileNameFor(runId));
  }

  #locked<T>(op: string, dir: string, fn: () => Promise<T>): ResultAsync<T, OrchestrationError> {
    return attempt(
      () => serialize(dir, fn),
      (error) => fsError(error, op, dir),
    );
  }
}

/**
 * A checkpoint store in a directory: `<directory>/<runId>/run.json` holds the small run record
 * (replaced atomically: write, fsync, rename) and `nodes.jsonl` gets one appended, fsynced line
 * per finished node, so a node write never rewrites the run's state. A later line for the same
 * node wins on load; a torn last line after a crash is ignored. Records are written with the
 * checkpoint codec (devalue); plain-JSON records of earlier versions are read as they are.
 *
 * @example
 * const result = createFileCheckpointStore(withDirectory('./checkpoints'));
 * if (result.isErr()) throw result.error;
 * const graph = createGraph(withGraphCheckpointer(result.value));
 */
export function createFileCheckpointStore(
  ...options: Option<FileCheckpointStoreConfig>[]
): Result<CheckpointStore, OrchestrationError> {
  return resolveOptions(DEFAULTS, options, schema, 'createFileCheckpointStore').map(
    (config) => new FileStore(resolve(config.directory), config.retention),
  );
}
