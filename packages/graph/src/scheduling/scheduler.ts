import { CONDITIONAL, OPTIONAL, type ScheduleGraph } from './schedule-graph.js';
import {
  ALL_FAILED,
  decide,
  NONE_FAILED_MIN_ONE_SUCCESS,
  ONE_FAILED,
  ONE_SUCCESS,
  RUN,
  SKIP,
  TRIGGER_RULES,
} from './trigger-rules.js';

// Node states. 0 is "waiting for dependencies" (WAITING: the initial value of the state array).
/** Ready and waiting for a worker (set by the executor). */
export const QUEUED = 1;
/** Running (set by the executor). */
export const RUNNING = 2;
export const SUCCEEDED = 3;
export const FAILED = 4;
export const SKIPPED = 5;

// Decisions `next()` hands out.
/** Run the node. */
export const READY = 1;
/** The node was skipped (see `skipReason`); the scheduler already settled it. */
export const SKIP_NODE = 2;
/** The node failed with `dependency_failed` (see `dependencyOf`, `rootOf`); already settled. */
export const DEPENDENCY_FAILED = 3;
/** The node's stored record is reused: report its outcome (`succeed` or `fail`). */
export const RESTORE = 4;
export type Decision = typeof READY | typeof SKIP_NODE | typeof DEPENDENCY_FAILED | typeof RESTORE;

/** Set on a router's picks while its children are visited. */
const PICKED = 1;
/** A router parent did not pick this node. */
const ROUTED_OUT = 2;

// Per-node counters, each a slice of `size` entries in one Int32Array (see `Scheduler`).
/** Parents not settled yet. */
const PENDING = 0;
const SUCCEEDED_PARENTS = 1;
const FAILED_PARENTS = 2;
const REQUIRED_FAILED = 3;
const REQUIRED_SKIPPED = 4;
/** The root cause of a node's failure. */
const ROOT = 5;
/** `PICKED` / `ROUTED_OUT` bits. */
const FLAGS = 6;
/** Nodes whose parents all settled, in the order they did; each enters once. */
const WORK = 7;
const COUNTERS = 8;

/** Which stored records a resumed run reuses (see `staleRecords`). */
export interface Reused {
  has(node: number): boolean;
}

/**
 * The scheduling rules of one run, as a pure deterministic state machine: no timers, signals
 * or I/O, so the in-process executor and a Temporal workflow drive the same decisions. The
 * driver reports outcomes (`succeed`, `fail`) and takes decisions (`next`) until `next`
 * returns -1; the run is over when `settled === graph.size` or a failure dooms it.
 *
 * A node is decided once all its parents settled, by its trigger rule over its parents'
 * outcomes (`decide`). Linear in nodes + edges, typed arrays only: nothing is allocated per
 * node after construction.
 */
export class Scheduler {
  /** Per node: `WAITING` .. `SKIPPED`. The driver may set `QUEUED` and `RUNNING`. */
  readonly state: Uint8Array;
  succeeded = 0;
  failed = 0;
  skipped = 0;
  settled = 0;
  /** The root cause of the first failure that dooms the run; -1 when none. */
  rootFailure = -1;
  /** What the last node `next` returned is to become. */
  decision: Decision = READY;
  /** The last failure reported or decided is the first to doom the run. */
  dooms = false;
  /**
   * Every per-node counter of the run in one array (one allocation instead of eight): the
   * counter `k` of node `i` is at `k * size + i` (`PENDING` .. `WORK`).
   */
  readonly #c: Int32Array;
  readonly #n: number;
  #head = 0;
  #tail = 0;

  constructor(
    readonly graph: ScheduleGraph,
    readonly reused?: Reused,
  ) {
    const n = graph.size;
    this.#n = n;
    this.state = new Uint8Array(n);
    const c = (this.#c = new Int32Array(COUNTERS * n));
    const start = graph.parentStart;
    for (let i = 0; i < n; i++) c[i] = (start[i + 1] as number) - (start[i] as number);
  }

  /** Makes the entry points ready to be decided. */
  start(): void {
    const w = WORK * this.#n;
    for (const e of this.graph.entries) this.#c[w + this.#tail++] = e;
  }

  /** `node` succeeded; `picks` are the targets its router picked (`undefined`: no router). */
  succeed(node: number, picks: readonly number[] | undefined): void {
    this.state[node] = SUCCEEDED;
    this.succeeded++;
    this.#propagate(node, SUCCEEDED, picks);
  }

  /** `node` failed on its own (after its retries). Returns `dooms`. */
  fail(node: number): boolean {
    this.state[node] = FAILED;
    this.failed++;
    this.#c[ROOT * this.#n + node] = node;
    this.#propagate(node, FAILED, undefined);
    return this.#doom(node, node);
  }

  #doom(node: number, root: number): boolean {
    this.dooms = this.graph.fatal[node] === 1 && this.rootFailure < 0;
    if (this.dooms) this.rootFailure = root;
    return this.dooms;
  }

  /**
   * The next decided node (its decision in `decision`), or -1 when none is decided. Skips and
   * dependency failures are settled here, and may decide more nodes.
   */
  next(): number {
    const g = this.graph;
    const k = this.#c;
    const n = this.#n;
    while (this.#head < this.#tail) {
      const c = k[WORK * n + this.#head++] as number;
      const verdict = decide(
        g.triggerRule[c] as number,
        (g.parentStart[c + 1] as number) - (g.parentStart[c] as number),
        k[SUCCEEDED_PARENTS * n + c] as number,
        k[FAILED_PARENTS * n + c] as number,
        k[REQUIRED_FAILED * n + c] as number,
        k[REQUIRED_SKIPPED * n + c] as number,
      );
      if (verdict === RUN) {
        this.decision = this.reused?.has(c) === true ? RESTORE : READY;
      } else if (verdict === SKIP) {
        this.state[c] = SKIPPED;
        this.skipped++;
        this.#propagate(c, SKIPPED, undefined);
        this.decision = SKIP_NODE;
      } else {
        this.state[c] = FAILED;
        this.failed++;
        const root = k[ROOT * n + this.dependencyOf(c)] as number;
        k[ROOT * n + c] = root;
        this.#propagate(c, FAILED, undefined);
        this.#doom(c, root);
        this.decision = DEPENDENCY_FAILED;
      }
      return c;
    }
    return -1;
  }

  /** Records a settled node on its children; children whose parents all settled queue up. */
  #propagate(i: number, outcome: number, picks: readonly number[] | undefined): void {
    const g = this.graph;
    const k = this.#c;
    const n = this.#n;
    const flags = FLAGS * n;
    if (picks !== undefined)
      for (const p of picks) k[flags + p] = (k[flags + p] as number) | PICKED;
    for (let e = g.childStart[i] as number, end = g.childStart[i + 1] as number; e < end; e++) {
      const c = g.children[e] as number;
      const kind = g.childKind[e];
      if (outcome === SUCCEEDED) {
        if (kind === CONDITIONAL && ((k[flags + c] as number) & PICKED) === 0) {
          k[flags + c] = (k[flags + c] as number) | ROUTED_OUT;
          k[REQUIRED_SKIPPED * n + c] = (k[REQUIRED_SKIPPED * n + c] as number) + 1;
        } else k[SUCCEEDED_PARENTS * n + c] = (k[SUCCEEDED_PARENTS * n + c] as number) + 1;
      } else if (outcome === FAILED) {
        k[FAILED_PARENTS * n + c] = (k[FAILED_PARENTS * n + c] as number) + 1;
        if (kind !== OPTIONAL)
          k[REQUIRED_FAILED * n + c] = (k[REQUIRED_FAILED * n + c] as number) + 1;
      } else if (kind !== OPTIONAL) {
        k[REQUIRED_SKIPPED * n + c] = (k[REQUIRED_SKIPPED * n + c] as number) + 1;
      }
      const left = (k[PENDING * n + c] as number) - 1;
      k[PENDING * n + c] = left;
      if (left === 0) k[WORK * n + this.#tail++] = c;
    }
    if (picks !== undefined)
      for (const p of picks) k[flags + p] = (k[flags + p] as number) & ~PICKED;
    this.settled++;
  }

  /** The first parent (declaration order) in `state` through an edge `kind` allows; -1 if none. */
  #parentIn(c: number, state: number, kinds: 'required' | 'any' | 'router'): number {
    const g = this.graph;
    for (let e = g.parentStart[c] as number, end = g.parentStart[c + 1] as number; e < end; e++) {
      const p = g.parents[e] as number;
      const k = g.parentKind[e] as number;
      const fits = kinds === 'any' || (kinds === 'router' ? k === CONDITIONAL : k !== OPTIONAL);
      if (fits && this.state[p] === state) return p;
    }
    return -1;
  }

  /**
   * The parent a `dependency_failed` node blames: its first parent (declaration order) that
   * failed through a required edge, else its first failed parent.
   */
  dependencyOf(c: number): number {
    const p = this.#parentIn(c, FAILED, 'required');
    return p >= 0 ? p : this.#parentIn(c, FAILED, 'any');
  }

  /** Whether `c` failed because a required dependency failed (not for want of a success). */
  failedViaRequired(c: number): boolean {
    return (this.#c[REQUIRED_FAILED * this.#n + c] as number) > 0;
  }

  /** The node whose own failure caused `c`'s failure (`c` itself for its own failure). */
  rootOf(c: number): number {
    return this.#c[ROOT * this.#n + c] as number;
  }

  /** Why a skipped node was skipped, for `step-skip` events. */
  skipReason(c: number): string {
    const g = this.graph;
    const rule = g.triggerRule[c] as number;
    const name = (i: number): string => `"${g.names[i] as string}"`;
    const prefix = `trigger rule ${TRIGGER_RULES[rule] as string}: `;
    if (rule === ALL_FAILED) {
      for (let e = g.parentStart[c] as number; e < (g.parentStart[c + 1] as number); e++) {
        const p = g.parents[e] as number;
        if (this.state[p] !== FAILED) return `${prefix}its dependency ${name(p)} did not fail`;
      }
    }
    if (rule === ONE_FAILED) return `${prefix}none of its dependencies failed`;
    if (rule === ONE_SUCCESS || rule === NONE_FAILED_MIN_ONE_SUCCESS)
      return `${prefix}none of its dependencies succeeded (they were skipped)`;
    if (((this.#c[FLAGS * this.#n + c] as number) & ROUTED_OUT) !== 0) {
      return `not picked by the router of ${name(this.#parentIn(c, SUCCEEDED, 'router'))}`;
    }
    return `its required dependency ${name(this.#parentIn(c, SKIPPED, 'required'))} was skipped`;
  }
}
