import { setMaxListeners } from 'node:events';

/** Concurrent nodes sharing one lane; their listeners stay under Node's warning limit of 10. */
const LANE_WIDTH = 4;
/** Nodes a lane serves before it is dropped, bounding listeners that careless code leaks. */
const LANE_USES = 256;

/**
 * One AbortSignal shared by a few concurrently running nodes of a run. Listeners that nodes leave
 * behind stay bounded by {@link LANE_USES}, so the signal has no listener limit: a chain of such
 * nodes must not print MaxListenersExceededWarning.
 */
export class Lane {
  readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  users = 0;
  uses = 0;

  constructor() {
    setMaxListeners(0, this.signal);
  }

  abort(reason: unknown): void {
    if (!this.signal.aborted) this.controller.abort(reason);
  }
}

/**
 * Hands running nodes their AbortSignal. Creating an AbortSignal costs microseconds in Node
 * (more than the rest of a node's scheduling), and one signal shared by every node of a wide
 * fan-out collects thousands of listeners (a MaxListenersExceededWarning and O(n) removals). So
 * a few nodes share a lane and lanes are reused after their nodes finish. Lanes are only ever
 * aborted all together, when the run ends early, so sharing is invisible to nodes; a node that
 * needs its own deadline gets a child signal from `withDeadline`.
 */
export class SignalLanes {
  readonly #free: Lane[] = [];

  acquire(): Lane {
    const free = this.#free;
    let lane = free[free.length - 1];
    if (lane === undefined) {
      lane = new Lane();
      free.push(lane);
    }
    lane.users++;
    lane.uses++;
    if (lane.users === LANE_WIDTH || lane.uses === LANE_USES) free.pop();
    return lane;
  }

  release(lane: Lane): void {
    lane.users--;
    if (lane.users === LANE_WIDTH - 1 && lane.uses < LANE_USES) this.#free.push(lane);
  }
}
