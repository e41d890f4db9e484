import {
  toOrchestrationError,
  type CheckpointStore,
  type Logger,
  type NodeCheckpoint,
  type OrchestrationError,
  type RunStatus,
} from '@baton/core';
import type { Result } from 'neverthrow';

/** Turns a store call into a Promise that rejects with an OrchestrationError. */
function settle(
  op: string,
  call: () => PromiseLike<Result<void, OrchestrationError>>,
): Promise<void> {
  let pending: PromiseLike<Result<void, OrchestrationError>>;
  try {
    pending = call();
  } catch (error) {
    return Promise.reject(toOrchestrationError(error, op));
  }
  return Promise.resolve(pending).then(
    (result) => {
      if (result.isErr()) throw result.error;
    },
    (error: unknown) => {
      throw toOrchestrationError(error, op);
    },
  );
}

/**
 * Writes one run's checkpoints: the run record when it starts and ends, and one small record
 * per finished node. A succeeded node's record is awaited before its dependents start; records
 * of failed and skipped nodes are informational (a resumed run re-evaluates those nodes) and are
 * written in the background, awaited before the run reports its result.
 */
export class CheckpointWriter {
  readonly #background: Promise<void>[] = [];

  constructor(
    private readonly store: CheckpointStore,
    private readonly logger: Logger,
    readonly runId: string,
    private readonly graph: string,
    private readonly input: unknown,
    private readonly startedAt: number,
    private readonly metadata: Readonly<Record<string, unknown>>,
  ) {}

  #saveRun(status: RunStatus): Promise<void> {
    const run = {
      runId: this.runId,
      graph: this.graph,
      status,
      input: this.input,
      startedAt: this.startedAt,
      updatedAt: Date.now(),
      metadata: this.metadata,
    };
    return settle(`${this.graph}.checkpoint`, () => this.store.saveRun(run));
  }

  /** Records the run as running; the run fails when this fails. */
  begin(): Promise<void> {
    return this.#saveRun('running');
  }

  /** Records a succeeded node; awaited before its dependents start. */
  succeeded(node: string, output: unknown, attempts: number): Promise<void> {
    const record: NodeCheckpoint = {
      runId: this.runId,
      node,
      status: 'succeeded',
      output,
      attempts,
      finishedAt: Date.now(),
    };
    return settle(`${this.graph}.checkpoint`, () => this.store.saveNode(record));
  }

  /** Records a failed or skipped node in the background. */
  settled(
    node: string,
    status: 'failed' | 'skipped',
    attempts: number,
    error?: OrchestrationError,
  ): void {
    const record: NodeCheckpoint = {
      runId: this.runId,
      node,
      status,
      attempts,
      finishedAt: Date.now(),
      ...(error === undefined ? {} : { error: { code: error.code, message: error.message } }),
    };
    this.#background.push(
      settle(`${this.graph}.checkpoint`, () => this.store.saveNode(record)).catch((e: unknown) => {
        this.logger.warn('graph checkpoint write failed', {
          graph: this.graph,
          runId: this.runId,
          node,
          error: String(e),
        });
      }),
    );
  }

  /** Waits for background writes, then records the final status (a failure is only logged). */
  async finish(status: RunStatus): Promise<void> {
    await Promise.all(this.#background);
    try {
      await this.#saveRun(status);
    } catch (error) {
      this.logger.warn('graph checkpoint write failed', {
        graph: this.graph,
        runId: this.runId,
        error: String(error),
      });
    }
  }
}
