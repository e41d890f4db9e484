import { toOrchestrationError, type OrchestrationError, type RunProgress } from '@baton/core';
import {
  childPath,
  emitStepError,
  type EventSink,
  type ExecutionContext,
} from '@baton/core/authoring';
import {
  DEPENDENCY_FAILED,
  READY,
  RESTORE,
  RUNNING,
  Scheduler,
  SUCCEEDED,
} from '../scheduling/scheduler.js';
import type { CheckpointWriter } from './checkpoint-writer.js';
import type { CompiledGraph } from './compile-graph.js';
import type { NodeSpec } from './node-spec.js';
import { route, type NodeOutcome } from './node-runner.js';
import { dependencyFailed, type RunView } from './run-outcome.js';

const NO_ERRORS: ReadonlyMap<number, OrchestrationError> = new Map();

/**
 * One run's data: outputs, errors, and the scheduler that decides what runs, what is skipped
 * and what fails for a dependency. This class carries the decisions out (events, checkpoint
 * records, restored outputs); subclasses schedule ready nodes and own the run's lifecycle.
 */
export abstract class RunState implements RunView {
  readonly state: Uint8Array;
  readonly outputs: unknown[];
  /** Each failed node's error; made on the first failure (most runs have none). */
  #errors: Map<number, OrchestrationError> | undefined;
  protected readonly scheduler: Scheduler;
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
    this.scheduler = new Scheduler(graph, restored);
    this.state = this.scheduler.state;
    this.outputs = new Array<unknown>(graph.size);
  }

  get errors(): ReadonlyMap<number, OrchestrationError> {
    return this.#errors ?? NO_ERRORS;
  }

  /** The path of node `i`'s events (see `RunEvent`): one array per node and run. */
  protected nodePath(i: number): readonly string[] {
    const paths = (this.#paths ??= new Array<readonly string[] | undefined>(this.graph.size));
    return (paths[i] ??= childPath(this.ctx, this.nodeName(i)));
  }

  /** Queues a node whose trigger rule lets it run. */
  protected abstract enqueue(node: number): void;
  /** A failure dooms the result (`root`: its root cause); returns true when the run was aborted. */
  protected abstract onFatal(root: number): boolean;

  /** The run's node counts, given how many nodes are running. */
  protected counts(running: number): RunProgress {
    const { succeeded, failed, skipped } = this.scheduler;
    const total = this.graph.size;
    const pending = total - running - succeeded - failed - skipped;
    return { total, pending, running, succeeded, failed, skipped };
  }

  protected nodeName(i: number): string {
    return this.graph.names[i] as string;
  }

  /** Whether every node is settled. */
  protected get allSettled(): boolean {
    return this.scheduler.settled === this.graph.size;
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

  protected succeed(
    i: number,
    output: unknown,
    picks: readonly number[] | undefined,
    durationMs: number,
  ): void {
    this.outputs[i] = output;
    // Settled before its event, so progress() seen from the event counts it; the scheduler
    // only decides its children when drained.
    this.scheduler.succeed(i, picks);
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
  }

  /** A node failed on its own (after its retries). */
  protected nodeFailed(i: number, error: OrchestrationError, attempts: number): void {
    const dooms = this.scheduler.fail(i);
    this.#record(i, error, attempts);
    if (dooms) this.onFatal(i);
  }

  #record(i: number, error: OrchestrationError, attempts: number): void {
    (this.#errors ??= new Map()).set(i, error);
    if (this.ctx.sink !== undefined)
      emitStepError(this.ctx, this.nodeName(i), error, this.nodePath(i));
    this.checkpoint?.settled(this.nodeName(i), 'failed', attempts, error);
  }

  /** Carries out the scheduler's decisions; stops when the run ends. */
  protected drain(): void {
    const scheduler = this.scheduler;
    while (!this.done) {
      const c = scheduler.next();
      if (c < 0) return;
      const decision = scheduler.decision;
      if (decision === READY) this.enqueue(c);
      else if (decision === DEPENDENCY_FAILED) this.#dependencyFailed(c);
      else if (decision === RESTORE) this.#restore(c);
      else this.#skipped(c);
    }
  }

  #dependencyFailed(c: number): void {
    const scheduler = this.scheduler;
    const p = scheduler.dependencyOf(c);
    const root = scheduler.rootOf(c);
    const error = dependencyFailed(
      this.graph.name,
      this.nodeName(c),
      this.nodeName(p),
      this.nodeName(root),
      this.errors.get(root) as OrchestrationError,
      scheduler.failedViaRequired(c),
    );
    this.#record(c, error, 0);
    if (scheduler.dooms) this.onFatal(root);
  }

  #skipped(c: number): void {
    const sink = this.ctx.sink;
    if (sink !== undefined)
      sink({
        type: 'step-skip',
        runId: this.ctx.runId,
        step: this.nodeName(c),
        path: this.nodePath(c),
        reason: this.scheduler.skipReason(c),
        timestamp: Date.now(),
      });
    this.checkpoint?.settled(this.nodeName(c), 'skipped', 0);
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
