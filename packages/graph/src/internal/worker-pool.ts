import { ReadyQueue } from '../scheduling/ready-queue.js';
import { readyKey, sequentialKey } from '../scheduling/ready-order.js';

/** What the pool needs from a run. */
export interface PoolRun {
  /** The run ended: its queued nodes are dropped. */
  readonly done: boolean;
  readonly paused: boolean;
  /** Nodes of this run in the pool's queue. */
  queued: number;
  /** Admitted but no node started yet. */
  waiting: boolean;
  /** Called for a popped node of a paused run; the run re-queues it on resume. */
  park(node: number): void;
  /** Starts `node`; the pool has already counted its worker. */
  startNode(node: number): void;
}

/**
 * The workers of one graph, shared by all its runs: at most `capacity` nodes run at once, and
 * ready nodes wait in one priority queue keyed by (priority, insertion order), or by
 * topological rank when the graph runs sequentially.
 */
export class WorkerPool<R extends PoolRun> {
  running = 0;
  /** Runs admitted but waiting for their first worker. */
  waiting = 0;
  readonly #queue = new ReadyQueue<R>();
  #seq = 0;
  #pumping = false;

  constructor(
    readonly capacity: number,
    readonly queueSize: number,
    readonly sequential: boolean,
  ) {}

  /** Admits a run unless the workers are busy and `queueSize` runs already wait. */
  admit(run: R): boolean {
    if (this.running >= this.capacity && this.waiting >= this.queueSize) return false;
    run.waiting = true;
    this.waiting++;
    return true;
  }

  /** The run started a node or ended: it no longer waits. */
  unwait(run: R): void {
    if (!run.waiting) return;
    run.waiting = false;
    this.waiting--;
  }

  push(run: R, node: number, priority: number, topoRank: number): void {
    const key = this.sequential ? sequentialKey(topoRank) : readyKey(priority, this.#seq++);
    run.queued++;
    this.#queue.push(key, run, node);
  }

  release(workers: number): void {
    this.running -= workers;
  }

  /** Forgets a run that ended: its waiting slot and queued nodes. */
  forget(run: R): void {
    this.unwait(run);
    if (run.queued > 0) {
      this.#queue.removeOwner(run);
      run.queued = 0;
    }
  }

  /**
   * Starts queued nodes while workers are free. Re-entrant calls (a node that synchronously
   * starts another run of this graph) return at once: the outer loop picks their nodes up.
   */
  pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      const queue = this.#queue;
      while (this.running < this.capacity && queue.size > 0) {
        const run = queue.peekOwner();
        const node = queue.pop();
        run.queued--;
        if (run.done) continue;
        if (run.paused) {
          run.park(node);
          continue;
        }
        this.running++;
        this.unwait(run);
        run.startNode(node);
      }
    } finally {
      this.#pumping = false;
    }
  }
}
