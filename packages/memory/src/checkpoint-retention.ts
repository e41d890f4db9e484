import {
  FINISHED_RUN_STATUSES,
  OrchestrationError,
  type CheckpointStore,
  type Option,
  type RunCheckpoint,
} from '@baton/core';
import { okAsync, ResultAsync } from 'neverthrow';
import { z } from 'zod';

/** Which finished runs a checkpoint store keeps; see {@link withCheckpointRetention}. */
export interface CheckpointRetention {
  /** Finished runs whose last update is older than this are deleted. */
  readonly maxAgeMs?: number;
  /** Only the newest this many finished runs of each graph are kept. */
  readonly keepLast?: number;
}

/** The retention setting shared by every checkpoint store's config. */
export interface RetentionConfig {
  /**
   * Deletes finished runs when a run finishes (`withCheckpointRetention`).
   * @default undefined (keep every run)
   */
  readonly retention: CheckpointRetention | undefined;
}

/**
 * Prunes finished runs (`succeeded`, `failed`, `canceled`) each time a run of the same graph
 * finishes: a finished run is deleted when it is older than `maxAgeMs` (by its last update) or
 * when it is not among the `keepLast` newest finished runs of its graph. Runs that are not
 * finished (running, paused, interrupted, ...) are never deleted. Works with every checkpoint
 * store of this package.
 *
 * @example
 * const store = createFileCheckpointStore(
 *   withDirectory('./checkpoints'),
 *   withCheckpointRetention({ maxAgeMs: 7 * 24 * 3_600_000, keepLast: 100 }),
 * );
 */
export function withCheckpointRetention(retention: CheckpointRetention): Option<RetentionConfig> {
  return (draft) => {
    draft.retention = retention;
  };
}

/** The zod shape of {@link RetentionConfig}, for the stores' schemas. */
export const retentionShape = {
  retention: z
    .object({
      maxAgeMs: z.number().int().positive('expected a positive number of ms').optional(),
      keepLast: z.number().int().min(0, 'expected 0 or more runs').optional(),
    })
    .strict()
    .optional(),
};

const PAGE = 1_000;

async function finishedRuns(store: CheckpointStore, graph: string): Promise<RunCheckpoint[]> {
  const runs: RunCheckpoint[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({
      status: FINISHED_RUN_STATUSES,
      graph,
      limit: PAGE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    if (page.isErr()) throw page.error;
    runs.push(...page.value.runs);
    cursor = page.value.nextCursor;
  } while (cursor !== undefined);
  return runs;
}

/** The finished runs of `runs` (newest first) that `retention` deletes at `now`. */
function expiredRuns(
  runs: readonly RunCheckpoint[],
  retention: CheckpointRetention,
  now: number,
): RunCheckpoint[] {
  const { maxAgeMs, keepLast } = retention;
  return runs.filter(
    (run, index) =>
      FINISHED_RUN_STATUSES.includes(run.status) &&
      ((keepLast !== undefined && index >= keepLast) ||
        (maxAgeMs !== undefined && now - run.updatedAt > maxAgeMs)),
  );
}

/**
 * After `run` was saved: when it is finished and the store has a retention, deletes the finished
 * runs of its graph that the retention no longer keeps. A failure says the run itself was saved.
 */
export function pruneAfterSave(
  store: CheckpointStore,
  retention: CheckpointRetention | undefined,
  run: RunCheckpoint,
  op: string,
): ResultAsync<void, OrchestrationError> {
  if (retention === undefined || !FINISHED_RUN_STATUSES.includes(run.status))
    return okAsync(undefined);
  const prune = async (): Promise<void> => {
    const runs = await finishedRuns(store, run.graph);
    for (const expired of expiredRuns(runs, retention, Date.now())) {
      const deleted = await store.deleteRun(expired.runId);
      if (deleted.isErr()) throw deleted.error;
    }
  };
  return ResultAsync.fromPromise(prune(), (cause) => {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new OrchestrationError(
      cause instanceof OrchestrationError ? cause.code : 'execution_failed',
      `${op}: run "${run.runId}" was saved, but pruning finished runs of graph "${run.graph}" failed: ${reason}`,
      { op, cause, details: { runId: run.runId } },
    );
  });
}
