import {
  childController,
  emitStepError,
  NEVER_SIGNAL,
  OrchestrationError,
  toOrchestrationError,
  withDeadline,
  type EventSink,
  type ExecutionContext,
  type RunEvent,
  type RunHandle,
  type RunOptions,
  type RunProgress,
  type RunStatus,
} from '@baton/core';
import { context as otelContext } from '@opentelemetry/api';
import { err, ok, ResultAsync } from 'neverthrow';
import { Subject, type Observable } from 'rxjs';
import type { GraphRun } from './internal/graph-run.js';

/** Starts the graph's run with `ctx`, reporting the run object as soon as it exists. */
export type LaunchRun = (ctx: ExecutionContext, onRun: (run: GraphRun) => void) => Promise<unknown>;

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The handle of a background run. The run starts in a microtask, so subscribing to `events$`
 * right after `start()` sees every event from `run-start` on.
 */
export class GraphRunHandle<O> implements RunHandle<O> {
  readonly runId: string;
  readonly events$: Observable<RunEvent<O>>;
  readonly result: ResultAsync<O, OrchestrationError>;
  readonly #name: string;
  readonly #total: number;
  readonly #subject = new Subject<RunEvent<O>>();
  readonly #controller: AbortController;
  #run: GraphRun | undefined;
  #status: RunStatus = 'pending';
  #pauseRequested = false;

  constructor(
    name: string,
    total: number,
    runId: string,
    options: Omit<RunOptions, 'runId'>,
    launch: LaunchRun,
  ) {
    this.runId = runId;
    this.#name = name;
    this.#total = total;
    this.events$ = this.#subject.asObservable();
    const { controller, dispose } = childController(options.signal ?? NEVER_SIGNAL);
    this.#controller = controller;
    const promise = new Promise<O>((resolve, reject) => {
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
    this.result = new ResultAsync(
      promise.then(
        (value) => ok(value),
        (error: unknown) => err(toOrchestrationError(error, name)),
      ),
    );
  }

  async #launch(options: Omit<RunOptions, 'runId'>, launch: LaunchRun): Promise<O> {
    const subject = this.#subject;
    const started = Date.now();
    const sink: EventSink = (event) => subject.next(event);
    const ctx: ExecutionContext = {
      signal: this.#controller.signal,
      runId: this.runId,
      metadata: options.metadata ?? EMPTY,
      configurable: options.configurable,
      tags: options.tags,
      sink,
      otel: otelContext.active(),
    };
    subject.next({ type: 'run-start', runId: this.runId, name: this.#name, timestamp: started });
    this.#status = 'running';
    const onRun = (run: GraphRun): void => {
      this.#run = run;
      if (this.#pauseRequested) run.pause();
    };
    const body = (c: ExecutionContext): Promise<unknown> => launch(c, onRun);
    try {
      const output = (await (options.timeoutMs === undefined
        ? body(ctx)
        : withDeadline(this.#name, options.timeoutMs, ctx, body))) as O;
      this.#status = 'succeeded';
      const now = Date.now();
      subject.next({
        type: 'run-end',
        runId: this.runId,
        name: this.#name,
        output,
        durationMs: now - started,
        timestamp: now,
      });
      subject.complete();
      return output;
    } catch (error) {
      const e = toOrchestrationError(error, this.#name);
      this.#status = e.code === 'task_canceled' ? 'canceled' : 'failed';
      emitStepError(ctx, this.#name, e);
      subject.complete();
      throw e;
    }
  }

  status(): RunStatus {
    if (this.#status !== 'running') return this.#status;
    return (this.#run?.paused ?? this.#pauseRequested) ? 'paused' : 'running';
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
