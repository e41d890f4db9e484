import {
  OrchestrationError,
  toOrchestrationError,
  type GraphConfig,
  type RunProgress,
} from '@baton/core';
import {
  canceledError,
  NEVER_SIGNAL,
  reportRunFailures,
  type ExecutionContext,
  type OrchestrationMetrics,
  type Telemetry,
} from '@baton/core/authoring';
import type { CheckpointWriter } from './checkpoint-writer.js';
import type { CompiledGraph } from './compile-graph.js';
import type { NodeSpec } from './node-spec.js';
import { nodeEnv, runNode, type NodeEnv } from './node-runner.js';
import { FAILED, QUEUED, RUNNING, SKIPPED, SUCCEEDED } from '../scheduling/scheduler.js';
import { err, ok, type Result } from 'neverthrow';
import { graphError, listNames } from './graph-errors.js';
import { interruptAt, interruptedError, interruptsOf } from './interrupts.js';
import {
  failFastReason,
  failures,
  graphTimeout,
  queueFull,
  runFailure,
  runOutput,
} from './run-outcome.js';
import { nodeRun, type RunScope } from './run-scope.js';
import { RunState } from './run-state.js';
import { RunningTasks, type NodeTask } from './running-tasks.js';
import type { PoolRun, WorkerPool } from './worker-pool.js';

/** `resolve`/`reject` of a run not started: one function for all runs, not two per run. */
const ignore = (): void => undefined;

/** Everything a run needs from its graph. */
export interface GraphRunSetup {
  readonly graph: CompiledGraph;
  readonly config: Readonly<GraphConfig>;
  readonly pool: WorkerPool<GraphRun>;
  readonly telemetry: Telemetry;
  readonly input: unknown;
  /** The graph's context: its `otel` holds the graph span. */
  readonly ctx: ExecutionContext;
  readonly tracing: boolean;
  readonly restored: ReadonlyMap<number, unknown> | undefined;
  readonly checkpoint: CheckpointWriter | undefined;
  /** Where the run sits among enclosing graph runs; its nodes' contexts point to it. */
  readonly scope: RunScope;
  /** Each node gets its own signal, so `cancelNode` can cancel one (runs behind a handle). */
  readonly cancellable: boolean;
}

/**
 * One execution of a graph: starts each node the moment its dependencies are settled (through
 * the graph's worker pool), and ends on the last node, the first fatal failure (fail fast),
 * cancellation or the graph timeout. Settlement is counter-based: one promise reaction per node,
 * no per-node listeners on the caller's signal, no timers besides the graph timeout.
 */
export class GraphRun extends RunState implements PoolRun {
  done = false;
  paused = false;
  queued = 0;
  waiting = false;
  readonly #pool: WorkerPool<GraphRun>;
  readonly #config: Readonly<GraphConfig>;
  readonly #env: NodeEnv;
  readonly #metrics: OrchestrationMetrics;
  readonly #scope: RunScope;
  readonly #tasks: RunningTasks;
  /** Nodes held back while the run is paused; made on the first one. */
  #parked: number[] | undefined;
  #started = 0;
  /** Nodes that finished running and wait for their checkpoint write (still running to users). */
  #saving = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onAbort: (() => void) | undefined;
  #resolve: (value: unknown) => void = ignore;
  #reject: (error: OrchestrationError) => void = ignore;
  /** What interrupted nodes asked, by key; set once a node interrupts (the run then winds down). */
  #asked: Record<string, unknown> | undefined;
  /** Nodes canceled with `cancelNode` before they started: they fail instead of starting. */
  #canceled: Map<number, OrchestrationError> | undefined;

  constructor(setup: GraphRunSetup) {
    super(setup.graph, setup.input, setup.ctx, setup.restored, setup.checkpoint);
    this.#pool = setup.pool;
    this.#config = setup.config;
    this.#metrics = setup.telemetry.metrics();
    this.#scope = setup.scope;
    // A chain's run with no caller signal and no timeout never aborts a running node: its nodes
    // get the caller's never-aborting signal instead of an AbortController per run.
    this.#tasks = new RunningTasks(
      !setup.graph.sequential || setup.ctx.signal !== NEVER_SIGNAL || setup.config.timeoutMs > 0,
      setup.cancellable,
    );
    this.#env = nodeEnv(
      setup.graph.name,
      setup.ctx,
      setup.telemetry.tracer,
      setup.tracing,
      setup.telemetry.logger,
      setup.config.runStats,
    );
  }

  /** Runs the graph; settles with the result, never earlier than the last write of a checkpoint. */
  start(): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      const name = this.graph.name;
      const signal = this.ctx.signal;
      if (signal.aborted) return this.#settleEarly(canceledError(name, signal.reason));
      if (!this.#pool.admit(this))
        return this.#settleEarly(queueFull(this.#config, this.#pool.waiting));
      if (signal !== NEVER_SIGNAL) {
        const onAbort = (): void => {
          const error = canceledError(name, signal.reason);
          this.#abort(error, error);
        };
        this.#onAbort = onAbort;
        signal.addEventListener('abort', onAbort, { once: true });
      }
      const ms = this.#config.timeoutMs;
      if (ms > 0) {
        this.#timer = setTimeout(() => {
          const error = graphTimeout(name, ms);
          this.#abort(error, error);
        }, ms);
      }
      const checkpoint = this.checkpoint;
      if (checkpoint === undefined) return this.#begin();
      checkpoint.begin().then(
        () => {
          if (!this.done) this.#begin();
        },
        (error: unknown) => {
          const e = toOrchestrationError(error, name);
          this.#abort(e, canceledError(name, e));
        },
      );
    });
  }

  #settleEarly(error: OrchestrationError): void {
    this.done = true;
    this.#reject(error);
  }

  #begin(): void {
    this.scheduler.start();
    this.#flush();
  }

  protected enqueue(node: number): void {
    this.state[node] = QUEUED;
    const g = this.graph;
    this.#pool.push(this, node, g.priority[node] as number, g.topoRank[node] as number);
  }

  park(node: number): void {
    (this.#parked ??= []).push(node);
  }

  startNode(i: number): void {
    const task = this.#tasks.add(i);
    this.#started++;
    this.state[i] = RUNNING;
    const ctx = this.ctx;
    const spec = this.graph.nodes[i] as NodeSpec;
    let promise: Promise<unknown>;
    try {
      const canceled = this.#canceled?.get(i);
      if (canceled !== undefined) throw canceled;
      const input = this.inputOf(i);
      const path = ctx.sink === undefined ? ctx.path : this.nodePath(i);
      const sink = ctx.sink;
      const runId = ctx.runId;
      const op = `${this.graph.name}.${spec.name}`;
      const nodeCtx: ExecutionContext = {
        signal: task.lane === undefined ? ctx.signal : task.lane.signal,
        runId,
        metadata: ctx.metadata,
        configurable: ctx.configurable,
        tags: ctx.tags,
        sink,
        path,
        enclosing: nodeRun(this.#scope, spec.name, task),
        otel: ctx.otel,
        interrupt: interruptAt(this.#scope, spec.name, task, { sink, runId, path }, op),
      };
      promise = runNode(spec, input, nodeCtx, this.#env, task);
    } catch (error) {
      promise = Promise.reject(toOrchestrationError(error, this.nodeName(i)));
    }
    promise.then(
      (output) => this.#onDone(task, output),
      (error: unknown) => this.#onFailed(task, error),
    );
  }

  /** Takes a settled task off the running list and frees its worker and lane. */
  #release(task: NodeTask): void {
    this.#tasks.remove(task);
    this.#pool.release(1);
  }

  /**
   * A node of a run that already ended settled: only now is its worker free, so the pool never
   * has more than `maxWorkers` unsettled nodes, even across a cancellation.
   */
  #releaseLate(task: NodeTask): void {
    this.#release(task);
    this.#pool.pump();
  }

  #onDone(task: NodeTask, output: unknown): void {
    if (this.done) return this.#releaseLate(task);
    this.#release(task);
    if (task.interrupts !== undefined) return this.#onInterrupted(task);
    const i = task.index;
    const durationMs = performance.now() - task.startedAt;
    this.#metrics.recordExecution(
      'node',
      this.graph.metricNames[i] as string,
      'success',
      durationMs,
    );
    const checkpoint = this.checkpoint;
    if (checkpoint === undefined) {
      this.succeed(i, output, task.picks, durationMs);
      this.#flush();
      return;
    }
    this.#saving++;
    checkpoint.succeeded(this.nodeName(i), output, task.attempts).then(
      () => {
        this.#saving--;
        if (this.done) return;
        this.succeed(i, output, task.picks, durationMs);
        this.#flush();
      },
      (error: unknown) => {
        this.#saving--;
        if (this.done) return;
        this.nodeFailed(i, toOrchestrationError(error, this.nodeName(i)), task.attempts);
        this.#flush();
      },
    );
    this.#pool.pump();
  }

  #onFailed(task: NodeTask, error: unknown): void {
    if (this.done) return this.#releaseLate(task);
    this.#release(task);
    if (task.interrupts !== undefined) return this.#onInterrupted(task);
    const i = task.index;
    const e = toOrchestrationError(error, this.nodeName(i));
    const metricName = this.graph.metricNames[i] as string;
    this.#metrics.recordExecution('node', metricName, 'error', performance.now() - task.startedAt);
    this.#metrics.recordError('node', metricName, e.code);
    this.nodeFailed(i, e, task.attempts);
    this.#flush();
  }

  protected afterAsyncRestore(settle: () => void): void {
    if (this.done) return;
    settle();
    this.#flush();
  }

  protected onFatal(root: number): boolean {
    if (!this.#config.failFast) return false;
    const error = this.errors.get(root) as OrchestrationError;
    this.#abort(
      runFailure(this, root),
      failFastReason(this.graph.name, this.nodeName(root), error),
    );
    return true;
  }

  /**
   * A node asked for answers (`ctx.interrupt`): its question is kept, no new node starts, and
   * the run ends `interrupted` once the running nodes settled (and their records are written).
   */
  #onInterrupted(task: NodeTask): void {
    Object.assign((this.#asked ??= {}), task.interrupts);
    this.paused = true;
    this.#flush();
  }

  /** Decides pending work, ends the run when every node is settled, and feeds free workers. */
  #flush(): void {
    this.drain();
    if (!this.done) {
      if (this.allSettled) this.#finish();
      else if (this.#asked !== undefined && this.#tasks.count === 0 && this.#saving === 0)
        this.#endInterrupted(this.#asked);
    }
    this.#pool.pump();
  }

  #endInterrupted(asked: Readonly<Record<string, unknown>>): void {
    const ask = this.#scope.ask;
    if (ask !== undefined) for (const key of Object.keys(asked)) ask(key, asked[key]);
    this.#end(interruptedError(this.graph.name, asked), undefined);
  }

  /** See `RunHandle.cancelNode`. */
  cancelNode(name: string): Result<void, OrchestrationError> {
    const op = `${this.graph.name}.cancelNode`;
    const names = this.graph.names;
    const i = names.indexOf(name);
    if (i < 0) {
      const message = `no node "${name}"; the nodes are ${listNames(names)}`;
      return err(graphError('not_found', 'unknown-node', op, message, { node: name }));
    }
    const state = this.state[i];
    const settled = state === SUCCEEDED || state === FAILED || state === SKIPPED;
    if (this.done || settled) {
      const why = this.done ? 'the run already ended' : `node "${name}" already settled`;
      return err(new OrchestrationError('invalid_state', `${op}: ${why}`, { op }));
    }
    const error = new OrchestrationError(
      'task_canceled',
      `${this.graph.name}: node "${name}" was canceled (handle.cancelNode)`,
      { op, details: { node: name } },
    );
    if (state === RUNNING && !this.#tasks.cancel(i, error)) {
      const message = `node "${name}" finished; its record is being written`;
      return err(new OrchestrationError('invalid_state', `${op}: ${message}`, { op }));
    }
    (this.#canceled ??= new Map()).set(i, error);
    return ok(undefined);
  }

  #finish(): void {
    const root = this.scheduler.rootFailure;
    if (root >= 0) {
      this.#end(runFailure(this, root), undefined);
      return;
    }
    const result = runOutput(this);
    if (!result.ok) {
      this.#end(result.error, undefined);
      return;
    }
    // A run that succeeded although nodes failed says so in its run-end event.
    if (this.ctx.sink !== undefined) reportRunFailures(this.ctx, failures(this));
    this.#end(undefined, result.value);
  }

  /**
   * Ends the run early: running nodes see their signal abort with `laneReason`. The run settles
   * now; each running node keeps its worker until its promise settles (which core's `raceAbort`
   * makes immediate for function nodes and foreign Runnables).
   */
  #abort(error: OrchestrationError, laneReason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.#tasks.abortAll(laneReason);
    this.#end(error, undefined);
  }

  #end(error: OrchestrationError | undefined, value: unknown): void {
    this.done = true;
    clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.ctx.signal.removeEventListener('abort', this.#onAbort);
    this.#pool.forget(this);
    this.#metrics.recordGraphNodes(this.graph.name, this.#started);
    const settle = (): void => (error === undefined ? this.#resolve(value) : this.#reject(error));
    const checkpoint = this.checkpoint;
    if (checkpoint === undefined) settle();
    else {
      const interrupts = error === undefined ? undefined : interruptsOf(error);
      const status =
        error === undefined
          ? 'succeeded'
          : interrupts !== undefined
            ? 'interrupted'
            : error.code === 'task_canceled'
              ? 'canceled'
              : 'failed';
      void checkpoint.finish(status, interrupts).then(settle);
    }
    this.#pool.pump();
  }

  pause(): void {
    if (!this.done) this.paused = true;
  }

  resume(): void {
    if (!this.paused || this.#asked !== undefined) return;
    this.paused = false;
    if (this.done) return;
    const parked = this.#parked;
    this.#parked = undefined;
    if (parked !== undefined) for (const node of parked) this.enqueue(node);
    this.#pool.pump();
  }

  progress(): RunProgress {
    return this.counts(this.#tasks.count + this.#saving);
  }
}
