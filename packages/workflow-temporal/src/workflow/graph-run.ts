import {
  DEPENDENCY_FAILED,
  FAILED,
  QUEUED,
  READY,
  RUNNING,
  ReadyQueue,
  SKIP_NODE,
  SKIPPED,
  SUCCEEDED,
  Scheduler,
  readyKey,
  sequentialKey,
} from '@baton/graph/scheduling';
import type { GraphEvent, GraphInterpreterSettings, NodeStatus, WireError } from './graph-wire.js';
import type { GraphPlan } from './graph-plan.js';
import { dependencyFailure } from './node-failure.js';

/** A node's own outcome as a run carries it across continue-as-new, in the order they settled. */
export type CarriedOutcome =
  | readonly [node: number, ok: 1, output: unknown, picks?: readonly number[]]
  | readonly [node: number, ok: 0, error: WireError];

/**
 * The data of one graph run inside the interpreter: outputs, errors, the shared scheduler, the
 * ready queue and the live-view events. No Temporal calls here: `GraphInterpreter` drives it.
 */
export class GraphRun {
  readonly scheduler: Scheduler;
  readonly outputs: unknown[];
  readonly errors = new Map<number, WireError>();
  /** Own outcomes in settle order: what continue-as-new carries. */
  readonly log: CarriedOutcome[] = [];
  readonly queue = new ReadyQueue<number>();
  readonly events: GraphEvent[] = [];
  #seq = 0;
  lastEvent: number;
  /** Set when a failure dooms the run under fail fast: the run stops with this error. */
  doomed: WireError | undefined;

  constructor(
    readonly plan: GraphPlan,
    readonly settings: GraphInterpreterSettings,
    lastEvent: number,
  ) {
    this.scheduler = new Scheduler(plan.graph);
    this.outputs = new Array<unknown>(plan.graph.size);
    this.lastEvent = lastEvent;
  }

  get name(): string {
    return this.plan.spec.name;
  }

  nodeName(i: number): string {
    return this.plan.graph.names[i] as string;
  }

  event(type: GraphEvent['type'], i: number, extra: Partial<GraphEvent> = {}): void {
    const events = this.events;
    events.push({
      seq: ++this.lastEvent,
      type,
      step: this.nodeName(i),
      timestamp: Date.now(),
      ...extra,
    });
    const max = this.settings.maxEvents;
    if (events.length > 2 * max) events.splice(0, events.length - max);
  }

  /** Replays carried outcomes in their order, so the scheduler ends where the last run left it. */
  restore(carried: readonly CarriedOutcome[]): void {
    this.scheduler.start();
    for (const outcome of carried) {
      this.decide(false);
      const i = outcome[0];
      if (this.scheduler.state[i] !== QUEUED)
        throw new Error(`carried state names node "${this.nodeName(i)}" out of order`);
      if (outcome[1] === 1) this.succeeded(i, outcome[2], outcome[3], false);
      else this.failed(i, outcome[2], false);
    }
    // Queued nodes left by the replay start anew; the queue order follows the decisions.
    const queued: number[] = [];
    while (this.queue.size > 0) queued.push(this.queue.pop());
    for (const i of queued) if (this.scheduler.state[i] === QUEUED) this.#push(i);
    this.decide(true);
  }

  #push(i: number): void {
    const g = this.plan.graph;
    this.scheduler.state[i] = QUEUED;
    const key = this.plan.spec.settings.parallel
      ? readyKey(g.priority[i] as number, this.#seq++)
      : sequentialKey(g.topoRank[i] as number);
    this.queue.push(key, 0, i);
  }

  /** Carries out the scheduler's decisions (queues, skips, dependency failures). */
  decide(live: boolean): void {
    const s = this.scheduler;
    for (let c = s.next(); c >= 0; c = s.next()) {
      const decision = s.decision;
      if (decision === READY) this.#push(c);
      else if (decision === SKIP_NODE) {
        if (live) this.event('step-skip', c, { reason: s.skipReason(c) });
      } else if (decision === DEPENDENCY_FAILED) {
        const p = s.dependencyOf(c);
        const root = s.rootOf(c);
        const error = dependencyFailure(
          this.name,
          this.nodeName(c),
          this.nodeName(p),
          this.nodeName(root),
          this.errors.get(root) as WireError,
          s.failedViaRequired(c),
        );
        this.errors.set(c, error);
        if (live) this.event('step-error', c, { code: error.code, message: error.message });
        if (s.dooms) this.#doom(root);
      }
    }
  }

  #doom(root: number): void {
    if (this.plan.spec.settings.failFast && this.doomed === undefined)
      this.doomed = this.failure(root);
  }

  starting(i: number): void {
    this.scheduler.state[i] = RUNNING;
    this.event('step-start', i);
  }

  succeeded(i: number, output: unknown, picks: readonly number[] | undefined, live = true): void {
    this.outputs[i] = output;
    this.scheduler.succeed(i, picks);
    this.log.push(picks === undefined ? [i, 1, output] : [i, 1, output, picks]);
    if (live) this.event('step-end', i);
    this.decide(live);
  }

  failed(i: number, error: WireError, live = true): void {
    this.errors.set(i, error);
    this.log.push([i, 0, error]);
    if (live) this.event('step-error', i, { code: error.code, message: error.message });
    if (this.scheduler.fail(i)) this.#doom(i);
    this.decide(live);
  }

  /** The input of node `i` by the data-flow rules (entry: graph input; one parent; a record). */
  inputOf(i: number, graphInput: unknown): unknown {
    const g = this.plan.graph;
    if (g.isEntry[i] === 1) return graphInput;
    const start = g.parentStart[i] as number;
    const end = g.parentStart[i + 1] as number;
    const state = this.scheduler.state;
    if (end - start === 1) {
      const p = g.parents[start] as number;
      return state[p] === SUCCEEDED ? this.outputs[p] : undefined;
    }
    const record: Record<string, unknown> = {};
    for (let e = start; e < end; e++) {
      const p = g.parents[e] as number;
      if (state[p] === SUCCEEDED) record[this.nodeName(p)] = this.outputs[p];
    }
    return record;
  }

  statuses(): Record<string, NodeStatus> {
    const out: Record<string, NodeStatus> = {};
    const state = this.scheduler.state;
    for (let i = 0; i < state.length; i++) {
      const s = state[i];
      if (s === SUCCEEDED) out[this.nodeName(i)] = 'succeeded';
      else if (s === FAILED) out[this.nodeName(i)] = 'failed';
      else if (s === SKIPPED) out[this.nodeName(i)] = 'skipped';
    }
    return out;
  }

  succeededOutputs(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const state = this.scheduler.state;
    for (let i = 0; i < state.length; i++)
      if (state[i] === SUCCEEDED) out[this.nodeName(i)] = this.outputs[i];
    return out;
  }

  failures(): Record<string, WireError> {
    const out: Record<string, WireError> = {};
    for (const [i, error] of this.errors) out[this.nodeName(i)] = error;
    return out;
  }

  /** The error of a run whose result `root`'s failure doomed (as in-process). */
  failure(root: number): WireError {
    const name = this.nodeName(root);
    const rootError = this.errors.get(root) as WireError;
    const failures = this.failures();
    const others = Object.keys(failures).filter((n) => n !== name);
    const shown = others.slice(0, 5).map((n) => `"${n}"`);
    const list =
      others.length > 5 ? `${shown.join(', ')} and ${others.length - 5} more` : shown.join(', ');
    const more = others.length > 0 ? `; ${others.length} more failed: ${list}` : '';
    return {
      code: rootError.code,
      message: `${this.name}: node "${name}" failed: ${rootError.message}${more}`,
      retryable: rootError.retryable,
      details: { node: name, failures, outputs: this.succeededOutputs(), nodes: this.statuses() },
    };
  }
}
