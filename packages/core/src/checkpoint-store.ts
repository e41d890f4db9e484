import type { ResultAsync } from 'neverthrow';
import type { ErrorCode, OrchestrationError } from './errors.js';
import type { HealthChecker } from './health.js';

/**
 * Every status a stored run can have. A status that is not in {@link FINISHED_RUN_STATUSES} is
 * unfinished: retention never deletes such a run. `interrupted`: a node asked for an answer
 * (`ctx.interrupt`) and the run waits for `graph.resume(runId, { answers })`.
 */
export const RUN_STATUSES = [
  'pending',
  'running',
  'paused',
  'interrupted',
  'succeeded',
  'failed',
  'canceled',
] as const;

/** Where a graph run stands (see {@link RUN_STATUSES}). */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The statuses of runs that are over: the only ones retention may delete. */
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'canceled'];

/** One small record per run: what is needed to resume it. */
export interface RunCheckpoint {
  readonly runId: string;
  /** Name of the graph that owns the run. */
  readonly graph: string;
  readonly status: RunStatus;
  /** The graph input (anything `encodeCheckpointValue` (`@baton/core/authoring`) keeps). */
  readonly input: unknown;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /**
   * What the run's nodes asked with `ctx.interrupt(payload)`, by node path (`ask`, `sub/ask`
   * for node `ask` of a graph run as node `sub`); present while the run is `interrupted`.
   */
  readonly interrupts?: Readonly<Record<string, unknown>>;
  /**
   * The answers a resume was given, by the same keys, kept until the run ends so a resume that
   * crashes before the interrupted nodes finish can be resumed again without them.
   */
  readonly answers?: Readonly<Record<string, unknown>>;
}

/** One small record per finished node, written before its dependents start. */
export interface NodeCheckpoint {
  readonly runId: string;
  readonly node: string;
  readonly status: 'succeeded' | 'failed' | 'skipped';
  /** The node's output when it succeeded (anything `encodeCheckpointValue` (`@baton/core/authoring`) keeps). */
  readonly output?: unknown;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
  /** Attempts used, 1 for the first. */
  readonly attempts: number;
  readonly finishedAt: number;
}

/** Which runs {@link CheckpointStore.listRuns} returns. */
export interface RunQuery {
  /** Only runs with this status (or one of these). */
  readonly status?: RunStatus | readonly RunStatus[];
  /** Only runs of the graph with this name. */
  readonly graph?: string;
  /** Only runs started strictly before this time (ms since the epoch). */
  readonly before?: number;
  /** Only runs started strictly after this time (ms since the epoch). */
  readonly after?: number;
  /**
   * Most runs in the page, 1 to 1,000.
   * @default 100
   */
  readonly limit?: number;
  /** The `nextCursor` of the previous page; opaque. */
  readonly cursor?: string;
}

/** A page of {@link CheckpointStore.listRuns}. */
export interface RunPage {
  readonly runs: RunCheckpoint[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/** A run's record and the records of its finished nodes. */
export interface StoredRun {
  readonly run: RunCheckpoint;
  readonly nodes: readonly NodeCheckpoint[];
}

/**
 * Durable storage of graph runs. Writes are per run or per node, never a rewrite of the whole run
 * state. Implementations: in-memory, file and Redis in `@baton/memory`.
 */
export interface CheckpointStore extends HealthChecker {
  /** Creates or replaces the run record (small: status, input, timestamps). */
  saveRun(run: RunCheckpoint): ResultAsync<void, OrchestrationError>;
  /** Records one finished node; a later record for the same node replaces it. */
  saveNode(record: NodeCheckpoint): ResultAsync<void, OrchestrationError>;
  /** The run and its node records; an unknown id fails with `not_found`. */
  loadRun(runId: string): ResultAsync<StoredRun, OrchestrationError>;
  /**
   * One page of stored run records, newest first (by start time, then run id), filtered by
   * `query`; pass the page's `nextCursor` back as `cursor` for the next page.
   */
  listRuns(query?: RunQuery): ResultAsync<RunPage, OrchestrationError>;
  /** Deletes a run and its node records (no error when absent). */
  deleteRun(runId: string): ResultAsync<void, OrchestrationError>;
}
