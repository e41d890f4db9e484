import {
  toOrchestrationError,
  type CheckpointStore,
  type NodeCheckpoint,
  type OrchestrationError,
  type RunStatus,
  type StoredRun,
} from '@baton/core';
import type { Logger } from '@baton/core';
import type { Result } from 'neverthrow';
import { deleteStored, sameInput } from './restore-run.js';

/**
 * The records of a map or loop node: a run of their own under `<run id>/<node>`, one record
 * per finished item or iteration (named by its index or number), so a resumed run or a retry of
 * the node redoes only what had not finished. Without a store it records nothing.
 */
export class RepeatLog {
  /** Outputs of the items or iterations that finished before, by index. */
  readonly restored: ReadonlyMap<number, unknown>;
  readonly #background: Promise<void>[] = [];

  private constructor(
    private readonly store: CheckpointStore | undefined,
    private readonly id: string,
    private readonly owner: string,
    private readonly input: unknown,
    private readonly startedAt: number,
    private readonly logger: Logger,
    restored: ReadonlyMap<number, unknown>,
  ) {
    this.restored = restored;
  }

  /**
   * Opens the log of one execution of a node. `resuming`: the run was resumed or the node is
   * retried, so records under `id` are this node's own, if they were made for the same input;
   * those of another input are deleted (a later resume would mix them in).
   */
  static async open(
    store: CheckpointStore | undefined,
    id: string,
    owner: string,
    input: unknown,
    resuming: boolean,
    logger: Logger,
  ): Promise<RepeatLog> {
    const now = Date.now();
    if (store === undefined)
      return new RepeatLog(undefined, id, owner, input, now, logger, new Map());
    let restored = new Map<number, unknown>();
    let startedAt = now;
    if (resuming) {
      const stored = await loadQuietly(store, id);
      if (stored !== undefined) {
        if (sameInput(stored.run.input, input)) {
          restored = succeededRecords(stored);
          startedAt = stored.run.startedAt;
        } else await deleteStored(store, id, owner);
      }
    }
    const log = new RepeatLog(store, id, owner, input, startedAt, logger, restored);
    await log.#saveRun('running');
    return log;
  }

  #saveRun(status: RunStatus): Promise<void> {
    const store = this.store;
    if (store === undefined) return Promise.resolve();
    const run = {
      runId: this.id,
      graph: this.owner,
      status,
      input: this.input,
      startedAt: this.startedAt,
      updatedAt: Date.now(),
    };
    return written(() => store.saveRun(run), this.owner);
  }

  /** Records a finished item or iteration; awaited before the node moves on. */
  succeeded(index: number, output: unknown, attempts: number): Promise<void> {
    const store = this.store;
    if (store === undefined) return Promise.resolve();
    const record: NodeCheckpoint = {
      runId: this.id,
      node: String(index),
      status: 'succeeded',
      output,
      attempts,
      finishedAt: Date.now(),
    };
    return written(() => store.saveNode(record), this.owner);
  }

  /** Records a failed item in the background (informational: a resume runs it again). */
  failed(index: number, error: OrchestrationError, attempts: number): void {
    const store = this.store;
    if (store === undefined) return;
    const record: NodeCheckpoint = {
      runId: this.id,
      node: String(index),
      status: 'failed',
      attempts,
      finishedAt: Date.now(),
      error: { code: error.code, message: error.message },
    };
    this.#background.push(written(() => store.saveNode(record), this.owner).catch(this.#warn));
  }

  /** Waits for background writes and records the final status (a failure is only logged). */
  async finish(status: RunStatus): Promise<void> {
    await Promise.all(this.#background);
    await this.#saveRun(status).catch(this.#warn);
  }

  readonly #warn = (error: unknown): void => {
    this.logger.warn('graph checkpoint write failed', {
      node: this.owner,
      runId: this.id,
      error: String(error),
    });
  };
}

async function loadQuietly(store: CheckpointStore, id: string): Promise<StoredRun | undefined> {
  try {
    const loaded = await store.loadRun(id);
    return loaded.isOk() ? loaded.value : undefined;
  } catch {
    return undefined;
  }
}

function succeededRecords(stored: StoredRun): Map<number, unknown> {
  const out = new Map<number, unknown>();
  for (const record of stored.nodes) {
    const index = Number(record.node);
    if (record.status === 'succeeded' && Number.isInteger(index)) out.set(index, record.output);
  }
  return out;
}

/** A store write as a Promise that rejects with an OrchestrationError. */
async function written(
  call: () => PromiseLike<Result<void, OrchestrationError>>,
  op: string,
): Promise<void> {
  let result: Result<void, OrchestrationError>;
  try {
    result = await call();
  } catch (error) {
    throw toOrchestrationError(error, op);
  }
  if (result.isErr()) throw toOrchestrationError(result.error, op);
}
