import type { NodeOutcome } from './node-runner.js';
import { Lane, SignalLanes } from './signal-lanes.js';

/** One running node, linked into its run's list of running nodes. */
export class NodeTask implements NodeOutcome {
  prev: NodeTask | undefined;
  next: NodeTask | undefined;
  attempts = 1;
  picks: number[] | undefined;
  nestedRuns = 0;
  /** What the execution asked with `ctx.interrupt` (or a run nested in it), by key. */
  interrupts: Record<string, unknown> | undefined;

  constructor(
    readonly index: number,
    /** `undefined`: the node runs on the caller's signal (nothing else can abort it). */
    readonly lane: Lane | undefined,
    readonly startedAt: number,
  ) {}

  ask(key: string, payload: unknown): void {
    (this.interrupts ??= {})[key] = payload;
  }
}

/**
 * The running nodes of a run: an intrusive linked list (O(1) add and remove, no allocation
 * besides the task) and the signal lanes they run on.
 */
export class RunningTasks {
  readonly #lanes: SignalLanes | undefined;
  #head: NodeTask | undefined;
  count = 0;

  /** Each node gets a signal of its own, so one node can be canceled (`cancel`). */
  readonly #perNode: boolean;

  /** `abortable`: the run may abort its running nodes (else they share the caller's signal). */
  constructor(abortable: boolean, perNode = false) {
    this.#lanes = abortable || perNode ? new SignalLanes() : undefined;
    this.#perNode = perNode;
  }

  add(index: number): NodeTask {
    const lane = this.#perNode ? new Lane() : this.#lanes?.acquire();
    const task = new NodeTask(index, lane, performance.now());
    const head = this.#head;
    task.next = head;
    if (head !== undefined) head.prev = task;
    this.#head = task;
    this.count++;
    return task;
  }

  remove(task: NodeTask): void {
    const { prev, next } = task;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next !== undefined) next.prev = prev;
    if (task.lane !== undefined && !this.#perNode) this.#lanes?.release(task.lane);
    this.count--;
  }

  /** Aborts the signal of running node `index` (only with per-node signals); false if not running. */
  cancel(index: number, reason: unknown): boolean {
    for (let t = this.#head; t !== undefined; t = t.next) {
      if (t.index === index && t.lane !== undefined) {
        t.lane.abort(reason);
        return true;
      }
    }
    return false;
  }

  /** Aborts the signal of every running node (lanes are shared, so copy the list first). */
  abortAll(reason: unknown): void {
    const lanes: Lane[] = [];
    for (let t = this.#head; t !== undefined; t = t.next) if (t.lane) lanes.push(t.lane);
    for (const lane of lanes) lane.abort(reason);
  }
}
