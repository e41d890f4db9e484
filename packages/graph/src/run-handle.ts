import {
  OrchestrationError,
  toOrchestrationError,
  type RunEvent,
  type RunHandle,
  type RunOptions,
  type RunProgress,
  type RunReport,
  type RunStatus,
} from '@baton/core';
import {
  childController,
  emitStepError,
  NEVER_SIGNAL,
  takeRunFailures,
  withDeadline,
  type EventSink,
  type ExecutionContext,
} from '@baton/core/authoring';
import { context as otelContext } from '@opentelemetry/api';
import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { interruptsOf } from './internal/interrupts.js';
import type { Observable } from 'rxjs';
import { EventReplay } from './internal/event-replay.js';
import type { GraphRun } from './internal/graph-run.js';
import { calledFrom } from './internal/run-scope.js';

/** Starts the graph's run with `ctx`, reporting the run object as soon as it exists. */
export type LaunchRun = (ctx: ExecutionContext, onRun: (run: GraphRun) => void) => Promise<unknown>;

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
const NO_INTERRUPTS: Readonly<Record<string, unknown>> = Object.freeze({});
const NO_FAILURES: Readonly<Record<string, OrchestrationError>> = Object.freeze({});
const ROOT_PATH: readonly string[] = Object.freeze([]);

/**
 * The handle of a background run. `events$` is hot and replays the run's events to each new
 * subscriber (`run-start`, then the most recent `REPLAY_LIMIT` events), so a subscriber sees
 * every event from `run-start` on, also after awaiting `resume()` or after the run ended.
 */
export class GraphRunHandle<O> implements RunHandle<O> {
  readonly runId: string;
  readonly events$: Observable<RunEvent<O>>;
  readonly result: ResultAsync<O, OrchestrationError>;
  readonly report: ResultAsync<RunReport<O>, OrchestrationError>;
  readonly #name: string;
  readonly #nodes: readonly string[];
  readonly #total: number;
  /** Nodes `cancelNode` named before the run object existed. */
  #cancels: string[] | undefined;
  #interrupts: Readonly<Record<string, unknown>> = NO_INTERRUPTS;
  readonly #events = new EventReplay<RunEvent<O>>();
  readonly #controller: AbortController;
  #run: GraphRun | undefined;
  #status: RunStatus = 'pending';
  #pauseRequested = false;

  constructor(
    name: string,
    nodes: readonly string[],
    runId: string,
    options: Omit<RunOptions, 'runId'>,
    launch: LaunchRun,
  ) {
    this.runId = runId;
    this.#name = name;
    this.#nodes = nodes;
    this.#total = nodes.length;
    this.events$ = this.#events.events$;
    const { controller, dispose } = childController(
      options.signal ?? options.parent?.signal ?? NEVER_SIGNAL,
    );
    this.#controller = controller;
    const promise = new Promise<RunReport<O>>((resolve, reject) => {
      queueMicrotask(() => {
        this.#launch(options, launch).then(
          (output) => {
            dispose();
            resolve(output);
          },
          (error: unknown) => {
            dispose();
            reject(toOrchestrationError(error, name));
          },
        );
      });
    });
    this.report = new ResultAsync(
      promise.then(
        (value) => ok(value),
        (error: unknown) => err(toOrchestrationError(error, name)),
      ),
    );
    this.result = this.report.map((report) => report.output);
  }

  async #launch(options: Omit<RunOptions, 'runId'>, launch: LaunchRun): Promise<RunReport<O>> {
    const subject = this.#events;
    const started = Date.now();
    const sink: EventSink = (event) => subject.next(event);
    const ctx: ExecutionContext = {
      signal: this.#controller.signal,
      runId: this.runId,
      metadata: options.metadata ?? EMPTY,
      configurable: options.configurable,
      tags: options.tags,
      sink,
      path: ROOT_PATH,
      enclosing: calledFrom(options.parent?.enclosing),
      otel: otelContext.active(),
    };
    subject.next({ type: 'run-start', runId: this.runId, name: this.#name, timestamp: started });
    this.#status = 'running';
    const onRun = (run: GraphRun): void => {
      this.#run = run;
      if (this.#pauseRequested) run.pause();
      for (const node of this.#cancels ?? []) run.cancelNode(node);
      this.#cancels = undefined;
    };
    const body = (c: ExecutionContext): Promise<unknown> => launch(c, onRun);
    try {
      const ms = options.timeoutMs ?? 0;
      const output = (await (ms === 0 ? body(ctx) : withDeadline(this.#name, ms, ctx, body))) as O;
      this.#status = 'succeeded';
      const now = Date.now();
      const failures = takeRunFailures(sink);
      subject.next({
        type: 'run-end',
        runId: this.runId,
        name: this.#name,
        output,
        durationMs: now - started,
        timestamp: now,
        ...(failures === undefined ? {} : { failures }),
      });
      subject.complete();
      return { output, failures: failures ?? NO_FAILURES };
    } catch (error) {
      const e = toOrchestrationError(error, this.#name);
      const interrupts = interruptsOf(e);
      if (interrupts !== undefined) this.#interrupts = interrupts;
      this.#status =
        interrupts !== undefined
          ? 'interrupted'
          : e.code === 'task_canceled'
            ? 'canceled'
            : 'failed';
      emitStepError(ctx, this.#name, e, ROOT_PATH);
      subject.complete();
      throw e;
    }
  }

  status(): RunStatus {
    if (this.#status !== 'running') return this.#status;
    return (this.#run?.paused ?? this.#pauseRequested) ? 'paused' : 'running';
  }

  interrupts(): Readonly<Record<string, unknown>> {
    return this.#interrupts;
  }

  cancelNode(name: string): Result<void, OrchestrationError> {
    const run = this.#run;
    if (run !== undefined) return run.cancelNode(name);
    const op = `${this.#name}.cancelNode`;
    if (!this.#nodes.includes(name)) {
      return err(
        new OrchestrationError('not_found', `${op}: no node "${name}"`, {
          op,
          details: { reason: 'unknown-node', node: name },
        }),
      );
    }
    if (this.#status !== 'pending') {
      return err(new OrchestrationError('invalid_state', `${op}: the run already ended`, { op }));
    }
    (this.#cancels ??= []).push(name);
    return ok(undefined);
  }

  progress(): RunProgress {
    const run = this.#run;
    if (run !== undefined) return run.progress();
    return {
      total: this.#total,
      pending: this.#total,
      running: 0,
      succeeded: 0,
      failed: 0,
      skipped: 0,
    };
  }

  pause(): void {
    this.#pauseRequested = true;
    this.#run?.pause();
  }

  resume(): void {
    this.#pauseRequested = false;
    this.#run?.resume();
  }

  cancel(reason?: string): void {
    if (this.#controller.signal.aborted) return;
    const why = reason === undefined ? '' : `: ${reason}`;
    this.#controller.abort(
      new OrchestrationError('task_canceled', `${this.#name} was canceled${why}`, {
        op: this.#name,
      }),
    );
  }
}
