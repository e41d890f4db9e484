import {
  childPath,
  emitStepError,
  toOrchestrationError,
  type EventSink,
  type ExecutionContext,
  type OrchestrationError,
  type RunProgress,
} from '@baton/core';
import type { CheckpointWriter } from './checkpoint-writer.js';
import type { CompiledGraph } from './compile-graph.js';
import { CONDITIONAL, OPTIONAL } from './graph-structure.js';
import type { NodeSpec } from './node-spec.js';
import { route, type NodeOutcome } from './node-runner.js';
import {
  dependencyFailed,
  FAILED,
  RUNNING,
  SKIPPED,
  SUCCEEDED,
  type RunView,
} from './run-outcome.js';

/** A required (or conditional) parent failed. */
const REQ_FAILED = 1;
/** A required (or conditional) parent was skipped. */
const REQ_SKIPPED = 2;
/** Set on a router's picks while its children are visited. */
const PICKED = 4;
/** A router parent did not pick this node. */
const ROUTED_OUT = 8;
const BLOCKED = REQ_FAILED | REQ_SKIPPED | ROUTED_OUT;

/**
 * The data flow of one run: per-node state in typed arrays, and how a finished node decides
 * its children (linear in nodes + edges, no recursion). A node's fate is decided when its last
 * parent settles: a failed required parent fails it (`dependency_failed`, which wins over a
 * skip), a skipped one or a router that did not pick it skips it, otherwise it is ready.
 * Subclasses schedule ready nodes and own the run's lifecycle.
 */
export abstract class RunState implements RunView {
  readonly state: Uint8Array;
  readonly outputs: unknown[];
  readonly errors = new Map<number, OrchestrationError>();
  protected readonly pending: Int32Array;
  protected readonly flags: Uint8Array;
  /** Nodes whose fate is decided without running them (skip, dependency failure, restore). */
  readonly #work: number[] = [];
  protected settledCount = 0;
  protected succeeded = 0;
  protected failed = 0;
  protected skipped = 0;
  /** The first own failure of a node whose failure dooms the result; -1 when none. */
  protected rootFailure = -1;
  abstract done: boolean;
  /** Each node's event path in this run, built on first use (only streamed runs use them). */
  #paths: (readonly string[] | undefined)[] | undefined;

  constructor(
    readonly graph: CompiledGraph,
    protected readonly input: unknown,
    protected readonly ctx: ExecutionContext,
    protected readonly restored: ReadonlyMap<number, unknown> | undefined,
    protected readonly checkpoint: CheckpointWriter | undefined,
  ) {
    const n = graph.size;
    this.state = new Uint8Array(n);
    this.outputs = new Array<unknown>(n);
    this.flags = new Uint8Array(n);
    this.pending = new Int32Array(n);
    const start = graph.parentStart;
    for (let i = 0; i < n; i++) this.pending[i] = (start[i + 1] as number) - (start[i] as number);
  }

  /** The path of node `i`'s events (see `RunEvent`): one array per node and run. */
  protected nodePath(i: number): readonly string[] {
    const paths = (this.#paths ??= new Array<readonly string[] | undefined>(this.graph.size));
    return (paths[i] ??= childPath(this.ctx, this.nodeName(i)));
  }

  /** Queues a node whose dependencies all allow it to run. */
  protected abstract enqueue(node: number): void;
  /** A failure that dooms the result happened; returns true when the run was aborted. */
  protected abstract onFatal(node: number, error: OrchestrationError): boolean;

  /** The run's node counts, given how many nodes are running. */
  protected counts(running: number): RunProgress {
    const { succeeded, failed, skipped } = this;
    const total = this.graph.size;
    const pending = total - running - succeeded - failed - skipped;
    return { total, pending, running, succeeded, failed, skipped };
  }

  protected nodeName(i: number): string {
    return (this.graph.nodes[i] as NodeSpec).name;
  }

  /**
   * The record of the parents that succeeded, by name. It has no prototype: V8 gives every
   * plain object built from a new set of keys its own hidden class, which in a graph of 100,000
   * distinct node names grows a shared transition tree and makes runs superlinear; an object
   * without a prototype is a hash map from the start.
   */
  #parentRecord(i: number): Record<string, unknown> {
    const g = this.graph;
    const record = Object.create(null) as Record<string, unknown>;
    for (let e = g.parentStart[i] as number, end = g.parentStart[i + 1] as number; e < end; e++) {
      const p = g.parents[e] as number;
      if (this.state[p] === SUCCEEDED) record[this.nodeName(p)] = this.outputs[p];
    }
    return record;
  }

  /** The data-flow rules: entry -> graph input, one parent -> its output, several -> a record. */
  protected inputOf(i: number): unknown {
    const g = this.graph;
    const custom = (g.nodes[i] as NodeSpec).config.input;
    if (custom !== undefined) return custom(this.#parentRecord(i), this.input);
    if (g.isEntry[i] === 1) return this.input;
    const start = g.parentStart[i] as number;
    if ((g.parentStart[i + 1] as number) - start === 1) {
      const p = g.parents[start] as number;
      return this.state[p] === SUCCEEDED ? this.outputs[p] : undefined;
    }
    return this.#parentRecord(i);
  }

  protected ready(c: number): void {
    if (((this.flags[c] as number) & BLOCKED) !== 0 || this.restored?.has(c) === true)
      this.#work.push(c);
    else this.enqueue(c);
  }

  /** Records the node's outcome on its children; children whose parents are all settled get decided. */
  #propagate(i: number, outcome: number, picks: readonly number[] | undefined): void {
    const g = this.graph;
    const flags = this.flags;
    const pending = this.pending;
    const bad = outcome === SUCCEEDED ? 0 : outcome === FAILED ? REQ_FAILED : REQ_SKIPPED;
    if (picks !== undefined) for (const p of picks) flags[p] = (flags[p] as number) | PICKED;
    for (let e = g.childStart[i] as number, end = g.childStart[i + 1] as number; e < end; e++) {
      const c = g.children[e] as number;
      const kind = g.childKind[e];
      if (bad !== 0) {
        if (kind !== OPTIONAL) flags[c] = (flags[c] as number) | bad;
      } else if (kind === CONDITIONAL && ((flags[c] as number) & PICKED) === 0) {
        flags[c] = (flags[c] as number) | ROUTED_OUT;
      }
      const left = (pending[c] as number) - 1;
      pending[c] = left;
      if (left === 0) this.ready(c);
    }
    if (picks !== undefined) for (const p of picks) flags[p] = (flags[p] as number) & ~PICKED;
    this.settledCount++;
  }

  protected succeed(
    i: number,
    output: unknown,
    picks: readonly number[] | undefined,
    durationMs: number,
  ): void {
    this.state[i] = SUCCEEDED;
    this.outputs[i] = output;
    this.succeeded++;
    const sink: EventSink | undefined = this.ctx.sink;
    if (sink !== undefined) {
      sink({
        type: 'step-end',
        runId: this.ctx.runId,
        step: this.nodeName(i),
        path: this.nodePath(i),
        output,
        durationMs,
        timestamp: Date.now(),
      });
    }
    this.#propagate(i, SUCCEEDED, picks);
  }

  /** A node failed on its own (after its retries). */
  protected nodeFailed(i: number, error: OrchestrationError, attempts: number): void {
    this.#fail(i, error, attempts);
    if (this.graph.fatal[i] === 1) {
      if (this.rootFailure < 0) this.rootFailure = i;
      if (this.onFatal(i, error)) return;
    }
    this.#propagate(i, FAILED, undefined);
  }

  #fail(i: number, error: OrchestrationError, attempts: number): void {
    this.state[i] = FAILED;
    this.errors.set(i, error);
    this.failed++;
    if (this.ctx.sink !== undefined)
      emitStepError(this.ctx, this.nodeName(i), error, this.nodePath(i));
    this.checkpoint?.settled(this.nodeName(i), 'failed', attempts, error);
  }

  /** Decides the nodes queued in the work list; stops when the run ends. */
  protected drain(): void {
    const work = this.#work;
    while (work.length > 0 && !this.done) {
      const c = work.pop() as number;
      const f = this.flags[c] as number;
      if ((f & REQ_FAILED) !== 0) this.#dependencyFailed(c);
      else if ((f & BLOCKED) !== 0) this.#skip(c, f);
      else this.#restore(c);
    }
  }

  /** The first parent (in declaration order) whose edge kind and state match. */
  #culprit(c: number, state: number, kind: number | undefined): number {
    const g = this.graph;
    for (let e = g.parentStart[c] as number, end = g.parentStart[c + 1] as number; e < end; e++) {
      const p = g.parents[e] as number;
      const k = g.parentKind[e] as number;
      if (this.state[p] === state && k !== OPTIONAL && (kind === undefined || k === kind)) return p;
    }
    return -1;
  }

  #dependencyFailed(c: number): void {
    const p = this.#culprit(c, FAILED, undefined);
    const parentError = this.errors.get(p) as OrchestrationError;
    // A parent that itself failed for a dependency carries the root cause.
    const inherited = ((this.flags[p] as number) & REQ_FAILED) !== 0;
    const root = inherited ? String(parentError.details.root) : this.nodeName(p);
    const rootError = inherited ? (parentError.cause as OrchestrationError) : parentError;
    this.#fail(
      c,
      dependencyFailed(this.graph.name, this.nodeName(c), this.nodeName(p), root, rootError),
      0,
    );
    this.#propagate(c, FAILED, undefined);
  }

  #skip(c: number, f: number): void {
    const routed = (f & ROUTED_OUT) !== 0;
    const p = this.#culprit(c, routed ? SUCCEEDED : SKIPPED, routed ? CONDITIONAL : undefined);
    const reason = routed
      ? `not picked by the router of "${this.nodeName(p)}"`
      : `its required dependency "${this.nodeName(p)}" was skipped`;
    this.state[c] = SKIPPED;
    this.skipped++;
    const sink = this.ctx.sink;
    if (sink !== undefined)
      sink({
        type: 'step-skip',
        runId: this.ctx.runId,
        step: this.nodeName(c),
        path: this.nodePath(c),
        reason,
        timestamp: Date.now(),
      });
    this.checkpoint?.settled(this.nodeName(c), 'skipped', 0);
    this.#propagate(c, SKIPPED, undefined);
  }

  /** A node that succeeded before the run was resumed: its stored output, its router again. */
  #restore(c: number): void {
    const node = this.graph.nodes[c] as NodeSpec;
    const output = this.restored?.get(c);
    if (node.router === undefined) {
      this.succeed(c, output, undefined, 0);
      return;
    }
    const outcome: NodeOutcome = { attempts: 1, picks: undefined, nestedRuns: 0 };
    let routed: unknown;
    try {
      routed = route(node, output, outcome, this.graph.name);
    } catch (error) {
      this.nodeFailed(c, toOrchestrationError(error, node.name), 1);
      return;
    }
    if (!(routed instanceof Promise)) {
      this.succeed(c, output, outcome.picks, 0);
      return;
    }
    this.state[c] = RUNNING;
    routed.then(
      () => this.afterAsyncRestore(() => this.succeed(c, output, outcome.picks, 0)),
      (error: unknown) =>
        this.afterAsyncRestore(() => this.nodeFailed(c, toOrchestrationError(error, node.name), 1)),
    );
  }

  /** Runs `settle` for a restored node whose router answered asynchronously, then continues. */
  protected abstract afterAsyncRestore(settle: () => void): void;
}
