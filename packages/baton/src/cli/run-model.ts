import type { NodeCheckpoint, OrchestrationError, RunEvent } from '@baton/core';

/** Where one task of a run stands, as the live view shows it. */
type TaskState = 'pending' | 'running' | 'retrying' | 'done' | 'failed' | 'skipped';

/** One task of the live view. */
export interface TaskView {
  readonly id: string;
  state: TaskState;
  /** 1 for the first attempt; 0 before it starts. */
  attempt: number;
  startedAt: number | undefined;
  durationMs: number | undefined;
  /** Why it failed or was skipped. */
  message: string | undefined;
  /** When the next attempt starts (state `retrying`). */
  retryAt: number | undefined;
  retryDelayMs: number | undefined;
  /** The model that ran it, when a model did. */
  model: string | undefined;
  /** Restored from a checkpoint: finished in an earlier process. */
  restored: boolean;
}

/** Counts shown in the header. */
export interface ProgressCounts {
  readonly total: number;
  readonly finished: number;
  readonly done: number;
  readonly failed: number;
  readonly skipped: number;
  readonly running: number;
}

/** The `model` a task reports in a chunk or its output, if any (`{ model: 'name' }`). */
function modelOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const model = (value as { model?: unknown }).model;
  return typeof model === 'string' && model.length > 0 ? model : undefined;
}

/**
 * The tasks a failed run names, with their errors' messages: a run that fails fast reports the
 * failure that ended it as one run-level `step-error` whose details name the node (`node`) and
 * every failure so far (`failures`).
 */
export function runFailures(
  error: OrchestrationError,
): [id: string, failure: OrchestrationError][] {
  const details = error.details as { node?: unknown; failures?: unknown };
  const failures = details.failures;
  if (typeof failures === 'object' && failures !== null)
    return Object.entries(failures as Record<string, OrchestrationError>);
  return typeof details.node === 'string' ? [[details.node, error]] : [];
}

/**
 * The state of a run's tasks, fed by the run's events: the one model the TTY, plain and JSON
 * views read. Only the tasks it was made with are tracked: steps nested in a task and the nodes
 * the pipeline compiler adds (`$input`, `$when:<task>`, `$outputs`) are not tasks.
 */
export class RunModel {
  readonly tasks = new Map<string, TaskView>();
  readonly startedAt: number;
  endedAt: number | undefined;

  /**
   * @param conditions each task's `when`, to say why a task was skipped in the pipeline's words
   *   rather than the compiler's (its `$when:<task>` router did not pick it).
   */
  constructor(
    taskIds: readonly string[],
    now: number,
    private readonly conditions: ReadonlyMap<string, string> = new Map(),
  ) {
    this.startedAt = now;
    for (const id of taskIds) this.tasks.set(id, RunModel.#pending(id));
  }

  static #pending(id: string): TaskView {
    return {
      id,
      state: 'pending',
      attempt: 0,
      startedAt: undefined,
      durationMs: undefined,
      message: undefined,
      retryAt: undefined,
      retryDelayMs: undefined,
      model: undefined,
      restored: false,
    };
  }

  /** Marks the tasks a resumed run finished earlier. */
  restore(records: readonly NodeCheckpoint[]): void {
    for (const record of records) {
      if (record.status === 'failed') continue; // a resumed run decides failed tasks again
      const task = this.tasks.get(record.node);
      if (task === undefined) continue;
      task.state = record.status === 'succeeded' ? 'done' : 'skipped';
      task.attempt = record.attempts;
      task.restored = true;
      task.model = modelOf(record.output);
    }
  }

  /** Applies one run event; returns the task it changed, if any. */
  apply(event: RunEvent): TaskView | undefined {
    if (event.type === 'run-start') return undefined;
    if (event.type === 'run-end') {
      this.endedAt = event.timestamp;
      return undefined;
    }
    if (event.type === 'step-error' && event.path.length === 0) {
      for (const [id, failure] of runFailures(event.error)) {
        const task = this.tasks.get(id);
        if (task === undefined || task.state === 'failed') continue;
        task.state = 'failed';
        task.message = failure.message;
        if (task.startedAt !== undefined) task.durationMs = event.timestamp - task.startedAt;
      }
      return undefined;
    }
    // A task's model reports come from the action nested in it: a chunk belongs to path[0].
    if (event.type !== 'chunk' && event.path.length !== 1) return undefined;
    const task = this.tasks.get(
      event.type === 'chunk' ? (event.path[0] ?? event.step) : event.step,
    );
    if (task === undefined) return undefined; // a node the pipeline compiler added
    switch (event.type) {
      case 'step-start':
        task.state = 'running';
        task.attempt = event.attempt ?? task.attempt + 1;
        task.startedAt ??= event.timestamp;
        task.retryAt = undefined;
        break;
      case 'chunk':
        task.model = modelOf(event.chunk) ?? task.model;
        break;
      case 'step-retry':
        task.state = 'retrying';
        task.attempt = event.attempt;
        task.retryDelayMs = event.delayMs;
        task.retryAt = event.timestamp + event.delayMs;
        task.message = event.error.message;
        break;
      case 'step-end':
        task.state = 'done';
        task.durationMs = event.timestamp - (task.startedAt ?? event.timestamp - event.durationMs);
        task.model = modelOf(event.output) ?? task.model;
        task.message = undefined;
        break;
      case 'step-skip': {
        task.state = 'skipped';
        const when = this.conditions.get(task.id);
        task.message =
          when !== undefined && event.reason.includes(`$when:${task.id}`)
            ? `when ${when} is false`
            : event.reason;
        break;
      }
      case 'step-error':
        task.state = 'failed';
        task.message = event.error.message;
        if (task.startedAt !== undefined) task.durationMs = event.timestamp - task.startedAt;
        break;
    }
    return task;
  }

  /** Counts of the tasks by state. */
  progress(): ProgressCounts {
    let done = 0;
    let failed = 0;
    let skipped = 0;
    let running = 0;
    for (const task of this.tasks.values()) {
      if (task.state === 'done') done++;
      else if (task.state === 'failed') failed++;
      else if (task.state === 'skipped') skipped++;
      else if (task.state === 'running' || task.state === 'retrying') running++;
    }
    const finished = done + failed + skipped;
    return { total: this.tasks.size, finished, done, failed, skipped, running };
  }

  /**
   * Milliseconds left at the pace so far (tasks finished in this process per elapsed time);
   * undefined until a task finished here.
   */
  etaMs(now: number): number | undefined {
    const { total, finished } = this.progress();
    let here = 0;
    for (const task of this.tasks.values())
      if (!task.restored && (task.state === 'done' || task.state === 'failed')) here++;
    if (here === 0) return finished === total ? 0 : undefined;
    const elapsed = now - this.startedAt;
    return Math.max(0, Math.round((elapsed / here) * (total - finished)));
  }
}
