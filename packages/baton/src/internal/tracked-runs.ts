import type {
  CheckpointStore,
  Chain,
  EdgeOptions,
  Graph,
  GraphSpec,
  HealthReport,
  Memory,
  NodeConfig,
  Option,
  OrchestrationError,
  Router,
  RunHandle,
  ResumeOptions,
  RunOptions,
  Runnable,
} from '@baton/core';
import { BaseRunnable, NEVER_SIGNAL, execute, type ExecutionContext } from '@baton/core/authoring';
import { err, errAsync, ok, type Result, type ResultAsync } from 'neverthrow';
import type { RunKind, RunTracker } from './run-tracker.js';

/**
 * A chain or graph as the Orchestrator hands it out: every run (invoke, batch, stream, and a
 * graph's start/resume) is counted from start to end, refused after shutdown, and canceled when
 * shutdown stops waiting. It runs the inner Runnable inside its own run, so events, outputs and
 * errors are the inner one's.
 */
abstract class TrackedRunnable<I, O, R extends Runnable<I, O>> extends BaseRunnable<I, O> {
  readonly name: string;

  constructor(
    protected readonly inner: R,
    protected readonly tracker: RunTracker,
    private readonly kind: RunKind,
  ) {
    super();
    this.name = inner.name;
  }

  override run(input: I, ctx: ExecutionContext): Promise<O> {
    const refused = this.tracker.refusal(`${this.name}.invoke`);
    if (refused) return Promise.reject(refused);
    const end = this.tracker.begin(this.kind);
    const link = this.tracker.link(ctx.signal, this.name);
    let running: Promise<O>;
    try {
      running = execute(this.inner, input, { ...ctx, signal: link.signal });
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.then(
      (output) => {
        link.dispose();
        end(false);
        return output;
      },
      (error: unknown) => {
        link.dispose();
        end(true);
        throw error;
      },
    );
  }
}

/** A chain counted by the Orchestrator. */
export class TrackedChain<I, O> extends TrackedRunnable<I, O, Chain<I, O>> implements Chain<I, O> {
  constructor(inner: Chain<I, O>, tracker: RunTracker) {
    super(inner, tracker, 'chain');
  }
  get description(): string {
    return this.inner.description;
  }
  get inputKeys(): readonly string[] {
    return this.inner.inputKeys;
  }
  get outputKeys(): readonly string[] {
    return this.inner.outputKeys;
  }
  get memory(): Memory | undefined {
    return this.inner.memory;
  }
  check(): Promise<HealthReport> {
    return this.inner.check();
  }
}

/** A graph counted by the Orchestrator; structure calls go to the inner graph. */
export class TrackedGraph<I, O> extends TrackedRunnable<I, O, Graph<I, O>> implements Graph<I, O> {
  constructor(inner: Graph<I, O>, tracker: RunTracker) {
    super(inner, tracker, 'graph');
  }
  get description(): string {
    return this.inner.description;
  }
  get checkpointer(): CheckpointStore | undefined {
    return this.inner.checkpointer;
  }
  #self(result: Result<unknown, OrchestrationError>): Result<Graph<I, O>, OrchestrationError> {
    return result.isErr() ? err(result.error) : ok(this);
  }
  addNode(
    name: string,
    runnable: Runnable<never>,
    ...options: Option<NodeConfig>[]
  ): Result<Graph<I, O>, OrchestrationError> {
    return this.#self(this.inner.addNode(name, runnable, ...options));
  }
  addEdge(
    from: string,
    to: string,
    options?: EdgeOptions,
  ): Result<Graph<I, O>, OrchestrationError> {
    return this.#self(this.inner.addEdge(from, to, options));
  }
  addConditionalEdges<T = unknown>(
    from: string,
    router: Router<T>,
    targets: readonly string[],
  ): Result<Graph<I, O>, OrchestrationError> {
    return this.#self(this.inner.addConditionalEdges(from, router, targets));
  }
  setEntryPoint(names: string | readonly string[]): Result<Graph<I, O>, OrchestrationError> {
    return this.#self(this.inner.setEntryPoint(names));
  }
  setFinishPoint(names: string | readonly string[]): Result<Graph<I, O>, OrchestrationError> {
    return this.#self(this.inner.setFinishPoint(names));
  }
  validate(): Result<void, OrchestrationError> {
    return this.inner.validate();
  }
  toMermaid(): string {
    return this.inner.toMermaid();
  }
  toSpec(): Result<GraphSpec, OrchestrationError> {
    return this.inner.toSpec();
  }
  check(): Promise<HealthReport> {
    return this.inner.check();
  }

  start(input: I, options: RunOptions = {}): Result<RunHandle<O>, OrchestrationError> {
    const refused = this.tracker.refusal(`${this.name}.start`);
    if (refused) return err(refused);
    const link = this.tracker.link(runSignal(options), this.name);
    const started = this.inner.start(input, { ...options, signal: link.signal });
    if (started.isErr()) link.dispose();
    return started.map((handle) => this.#watch(handle, link.dispose));
  }

  resume(
    runId: string,
    options: ResumeOptions = {},
  ): ResultAsync<RunHandle<O>, OrchestrationError> {
    return this.#continue('resume', options, (o) => this.inner.resume(runId, o));
  }

  startOrResume(
    runId: string,
    input: I,
    options: ResumeOptions = {},
  ): ResultAsync<RunHandle<O>, OrchestrationError> {
    return this.#continue('startOrResume', options, (o) =>
      this.inner.startOrResume(runId, input, o),
    );
  }

  /** `resume` and `startOrResume`: refused while shutting down, linked, counted. */
  #continue(
    method: string,
    options: ResumeOptions,
    call: (options: ResumeOptions) => ResultAsync<RunHandle<O>, OrchestrationError>,
  ): ResultAsync<RunHandle<O>, OrchestrationError> {
    const refused = this.tracker.refusal(`${this.name}.${method}`);
    if (refused) return errAsync(refused);
    const link = this.tracker.link(runSignal(options), this.name);
    return call({ ...options, signal: link.signal })
      .map((handle) => this.#watch(handle, link.dispose))
      .mapErr((error) => {
        link.dispose();
        return error;
      });
  }

  /** Counts a started run until its result settles. */
  #watch(handle: RunHandle<O>, dispose: () => void): RunHandle<O> {
    const end = this.tracker.begin('graph');
    void handle.result.then(
      (result) => {
        dispose();
        end(result.isErr());
      },
      () => {
        dispose();
        end(true);
      },
    );
    return handle;
  }
}

/** The signal a run started with `options` is canceled by. */
function runSignal(options: RunOptions): AbortSignal {
  return options.signal ?? options.parent?.signal ?? NEVER_SIGNAL;
}
