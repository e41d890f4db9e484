import {
  toOrchestrationError,
  type CheckpointStore,
  type Logger,
  type NodeCheckpoint,
  type OrchestrationError,
  type RunCheckpoint,
  type RunStatus,
  type StoredRun,
} from '@baton/core';
import type { Result, ResultAsync } from 'neverthrow';
import { graphError } from './graph-errors.js';

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
  /** The id is this run's to write (false while a fresh run checks it, and when it is taken). */
  #owned: boolean;

  constructor(
    private readonly store: CheckpointStore,
    private readonly logger: Logger,
    readonly runId: string,
    private readonly graph: string,
    private readonly input: unknown,
    private readonly startedAt: number,
    private readonly metadata: Readonly<Record<string, unknown>>,
    /** A new top-level run: its id must not have a checkpoint yet (see `begin`). */
    private readonly fresh: boolean,
    /** A resumed run's nodes whose succeeded or skipped records it does not reuse (see `begin`). */
    private readonly superseded: readonly string[] = [],
    /** Answers a resume was given: kept in the run record until another resume replaces them. */
    private readonly answers: Readonly<Record<string, unknown>> = {},
  ) {
    this.#owned = !fresh;
  }

  #saveRun(status: RunStatus, interrupts?: Readonly<Record<string, unknown>>): Promise<void> {
    const answers = this.answers;
    const run: RunCheckpoint = {
      runId: this.runId,
      graph: this.graph,
      status,
      input: this.input,
      startedAt: this.startedAt,
      updatedAt: Date.now(),
      metadata: this.metadata,
      ...(interrupts === undefined ? {} : { interrupts }),
      ...(Object.keys(answers).length === 0 ? {} : { answers }),
    };
    return settle(`${this.graph}.checkpoint`, () => this.store.saveRun(run));
  }

  /**
   * Records the run as running; the run fails when this fails. A fresh run first makes sure its
   * id has no checkpoint: writing over one would leave the old run's node records behind, and a
   * later resume would mix them into this run.
   */
  begin(): Promise<void> {
    if (!this.fresh) return this.#resume();
    const op = `${this.graph}.start`;
    let loaded: ResultAsync<StoredRun, OrchestrationError>;
    try {
      loaded = this.store.loadRun(this.runId);
    } catch (error) {
      return Promise.reject(toOrchestrationError(error, op));
    }
    return Promise.resolve(loaded).then((found) => {
      if (found.isOk()) {
        throw graphError(
          'invalid_state',
          'run-exists',
          op,
          `run "${this.runId}" already has a checkpoint in the store; resume it with graph.resume("${this.runId}"), delete it with store.deleteRun("${this.runId}"), or start with another runId`,
          { runId: this.runId },
        );
      }
      if (found.error.code !== 'not_found') throw found.error;
      this.#owned = true;
      return this.#saveRun('running');
    });
  }

  /**
   * A resumed run also marks the succeeded and skipped records it does not reuse as failed,
   * before any node runs: such a node is decided anew because a parent is, and once that
   * parent's new record is written the old record would look consistent with it. Should this run
   * end before the node is decided, the next resume would restore an output computed from other
   * inputs (or keep the children of a skip that no longer happens).
   */
  #resume(): Promise<void> {
    const running = this.#saveRun('running');
    if (this.superseded.length === 0) return running;
    const op = `${this.graph}.checkpoint`;
    const marks = this.superseded.map((node) => {
      const record: NodeCheckpoint = {
        runId: this.runId,
        node,
        status: 'failed',
        attempts: 0,
        finishedAt: Date.now(),
        error: {
          code: 'invalid_state',
          message: `${this.graph}: node "${node}" is decided again on resume, as a node it depends on is; its stored record no longer applies`,
        },
      };
      return settle(op, () => this.store.saveNode(record));
    });
    return Promise.all([running, ...marks]).then(() => undefined);
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

  /**
   * Waits for background writes, then records the final status (a failure is only logged).
   * Writes nothing when the run never owned its id.
   */
  async finish(status: RunStatus, interrupts?: Readonly<Record<string, unknown>>): Promise<void> {
    await Promise.all(this.#background);
    if (!this.#owned) return; // never write over a run this one did not start
    try {
      await this.#saveRun(status, interrupts);
    } catch (error) {
      this.logger.warn('graph checkpoint write failed', {
        graph: this.graph,
        runId: this.runId,
        error: String(error),
      });
    }
  }
}
