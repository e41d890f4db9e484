import { OrchestrationError, type OrchestratorMetrics } from '@baton/core';
import { canceledError, childController } from '@baton/core/authoring';

/** The kinds of run an Orchestrator counts. */
export type RunKind = 'chain' | 'graph' | 'workflow';

/**
 * The Orchestrator's bookkeeping of runs: counters for `getMetrics()`, the runs still going (for
 * `shutdown()` to wait for), and the signal that cancels them. Every run is counted by
 * `begin()`, whose `end` is called exactly once however the run ends.
 */
export class RunTracker {
  readonly #active: Record<RunKind, number> = { chain: 0, graph: 0, workflow: 0 };
  #total = 0;
  #errors = 0;
  #accepting = true;
  readonly #cancel = new AbortController();
  /** Settles when the last running run ends; replaced when a run starts after an idle period. */
  #idle: { promise: Promise<void>; resolve: () => void } | undefined;
  #running = 0;
  /** Ends of the workflow executions being watched, for `releaseWorkflows`. */
  readonly #watched = new Set<(failed: boolean) => void>();

  /** Aborts when shutdown gives up waiting: running chains and graphs see their signal fire. */
  get signal(): AbortSignal {
    return this.#cancel.signal;
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  /** `invalid_state` when the Orchestrator was shut down, else undefined. */
  refusal(op: string): OrchestrationError | undefined {
    if (this.#accepting) return undefined;
    return new OrchestrationError(
      'invalid_state',
      `${op}: the orchestrator was shut down and accepts no new runs; create a new one with createOrchestrator()`,
      { op },
    );
  }

  /** Counts a run as started; call the returned function once when it ends. */
  begin(kind: RunKind): (failed: boolean) => void {
    this.#active[kind] += 1;
    this.#total += 1;
    // Workflows run on their server: shutdown does not wait for them.
    const local = kind !== 'workflow';
    if (local) this.#running += 1;
    let ended = false;
    const end = (failed: boolean): void => {
      if (ended) return;
      ended = true;
      this.#watched.delete(end);
      this.#active[kind] -= 1;
      if (failed) this.#errors += 1;
      if (!local) return;
      this.#running -= 1;
      if (this.#running === 0 && this.#idle !== undefined) {
        this.#idle.resolve();
        this.#idle = undefined;
      }
    };
    if (!local) this.#watched.add(end);
    return end;
  }

  /**
   * Stops counting the workflow executions still watched (they go on on their server): each
   * leaves the active count without counting as an error.
   */
  releaseWorkflows(): void {
    for (const end of [...this.#watched]) end(false);
  }

  /**
   * A signal for one run: aborts when `parent` does or when shutdown cancels running work.
   * Call `dispose` when the run ends.
   */
  link(parent: AbortSignal, op: string): { signal: AbortSignal; dispose: () => void } {
    const { controller, dispose } = childController(parent);
    const cancel = this.#cancel.signal;
    const onShutdown = (): void => controller.abort(canceledError(op, cancel.reason));
    if (cancel.aborted) {
      onShutdown();
      return { signal: controller.signal, dispose };
    }
    cancel.addEventListener('abort', onShutdown, { once: true });
    return {
      signal: controller.signal,
      dispose: () => {
        dispose();
        cancel.removeEventListener('abort', onShutdown);
      },
    };
  }

  metrics(): OrchestratorMetrics {
    return {
      activeChains: this.#active.chain,
      activeGraphs: this.#active.graph,
      activeWorkflows: this.#active.workflow,
      totalExecutions: this.#total,
      errorCount: this.#errors,
    };
  }

  /** Stops accepting runs. */
  close(): void {
    this.#accepting = false;
  }

  /** Resolves when no chain or graph run is going, or after `timeoutMs`; returns whether all ended. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.#running === 0) return true;
    if (this.#idle === undefined) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#idle = { promise, resolve };
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    try {
      return await Promise.race([this.#idle.promise.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Cancels every running chain and graph run. */
  cancelAll(): void {
    if (!this.#cancel.signal.aborted) {
      const message =
        'canceled by orchestrator.shutdown(): the run did not end within the shutdown timeout';
      this.#cancel.abort(
        new OrchestrationError('task_canceled', message, { op: 'orchestrator.shutdown' }),
      );
    }
  }
}
