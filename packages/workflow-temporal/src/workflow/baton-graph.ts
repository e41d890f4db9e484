import { finishOutput } from '@baton/graph/scheduling';
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import {
  DEFAULT_GRAPH_INTERPRETER_SETTINGS,
  GRAPH_QUERIES,
  GRAPH_SPEC_ACTIVITY,
  GRAPH_SIGNALS,
  jsonBytes,
  utf8Length,
  type GraphEvent,
  type GraphInterpreterSettings,
  type GraphProgress,
  type GraphWireResult,
  type NodeCall,
  type NodeCallResult,
  type WireError,
  type WireSpecPart,
} from './graph-wire.js';
import { planOf, type GraphPlan } from './graph-plan.js';
import { GraphRun, type CarriedOutcome } from './graph-run.js';
import { nodeFailure } from './node-failure.js';
import { runPureNode } from './pure-node.js';
import { decodeSpec, unsupportedFeature, type WireSpec } from './wire-spec.js';

/** What a run hands the next one when it continues as new. */
export interface CarriedState {
  /** Executions so far (1 in the first). */
  readonly runs: number;
  /** Workflow time the first run started, for the graph timeout. */
  readonly startedAt: number;
  readonly lastEvent: number;
  readonly paused: boolean;
  readonly outcomes: readonly CarriedOutcome[];
}

/** Input of {@link batonGraph}; build it with `createTemporalGraphWorkflow` (client). */
export interface BatonGraphInput {
  /**
   * The graph, in its compact wire form; absent when it goes by reference (a spec over
   * `inlineSpecMaxBytes`): then the worker supplies the spec of `fingerprint` through the
   * `batonGraphSpec` local activity, once per execution.
   */
  readonly spec?: WireSpec;
  /** The spec's structural fingerprint, pinned when the execution started. */
  readonly fingerprint: string;
  /** The graph input. */
  readonly input?: unknown;
  readonly settings?: Partial<GraphInterpreterSettings>;
  /** Set by the interpreter itself when it continues as new. */
  readonly carried?: CarriedState;
}

type NodeActivities = Record<string, (input: unknown, call: NodeCall) => Promise<NodeCallResult>>;

const progressQuery = defineQuery<GraphProgress>(GRAPH_QUERIES.progress);
const eventsQuery = defineQuery<GraphEvent[], [number?]>(GRAPH_QUERIES.events);
const pauseSignal = defineSignal(GRAPH_SIGNALS.pause);
const resumeSignal = defineSignal(GRAPH_SIGNALS.resume);
const cancelSignal = defineSignal<[string?]>(GRAPH_SIGNALS.cancel);

function fail(error: WireError, op: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: error.code,
    message: error.message,
    nonRetryable: !error.retryable,
    details: [{ op, details: error.details ?? {} }],
  });
}

function invalid(message: string): ApplicationFailure {
  return fail(
    { code: 'invalid_config', message: `batonGraph: ${message}`, retryable: false },
    'batonGraph',
  );
}

function settingsOf(
  given: Partial<GraphInterpreterSettings> | undefined,
): GraphInterpreterSettings {
  const settings = { ...DEFAULT_GRAPH_INTERPRETER_SETTINGS, ...given };
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value !== 'number' || !(value >= 1) || !Number.isFinite(value))
      throw invalid(`settings.${key} must be a number >= 1, got ${String(value)}`);
  }
  if (settings.maxPendingActivities > 2_000)
    throw invalid(
      `settings.maxPendingActivities must be at most 2000 (Temporal's limit), got ${settings.maxPendingActivities}`,
    );
  return settings;
}

type SpecActivities = Record<
  string,
  (fingerprint: string, part?: number) => Promise<WireSpec | WireSpecPart>
>;

const isPart = (value: WireSpec | WireSpecPart): value is WireSpecPart =>
  typeof (value as WireSpecPart).parts === 'number';

/** The spec the input carries, or the worker's spec of its fingerprint (by reference). */
async function wireSpecOf(args: BatonGraphInput): Promise<WireSpec> {
  const shape =
    typeof args === 'object' &&
    args !== null &&
    typeof args.fingerprint === 'string' &&
    (args.spec === undefined || typeof args.spec === 'object');
  if (!shape)
    throw invalid(
      'the input must be { spec, fingerprint, input } (build it with createTemporalGraphWorkflow)',
    );
  if (args.spec !== undefined && args.spec !== null) return args.spec;
  const local = proxyLocalActivities<SpecActivities>({
    startToCloseTimeout: 60_000,
    retry: { maximumAttempts: 3 },
  });
  const fetch = local[GRAPH_SPEC_ACTIVITY];
  if (fetch === undefined) throw new Error('unreachable: proxyLocalActivities has every name');
  const first = await fetch(args.fingerprint);
  if (!isPart(first)) return first;
  // Over one payload: the parts one by one, each recorded in a workflow task of its own (a timer
  // in between), so no task completion carries more than one part.
  const texts = [first.text];
  for (let k = 1; k < first.parts; k++) {
    await sleep(1);
    const next = await fetch(args.fingerprint, k);
    if (!isPart(next) || next.part !== k || next.parts !== first.parts)
      throw invalid(
        `the worker sent part ${JSON.stringify(next).slice(0, 80)} of the spec, not part ${k} of ${first.parts}`,
      );
    texts.push(next.text);
  }
  try {
    return JSON.parse(texts.join('')) as WireSpec;
  } catch (error) {
    throw invalid(`the ${first.parts} parts of the spec do not join into JSON (${String(error)})`);
  }
}

/** Decodes and checks the input: the fingerprint it pins, features, structure. */
function prepare(
  args: BatonGraphInput,
  wire: WireSpec,
): { plan: GraphPlan; settings: GraphInterpreterSettings } {
  const settings = settingsOf(args.settings);
  let plan: GraphPlan;
  try {
    const spec = decodeSpec(wire);
    if (spec.fingerprint !== args.fingerprint)
      throw new Error(
        `the spec's fingerprint ${spec.fingerprint} is not the pinned fingerprint ${args.fingerprint}; start the execution from the graph it was built from`,
      );
    const feature = unsupportedFeature(spec);
    if (feature !== undefined) throw new Error(`not supported on Temporal: ${feature}`);
    plan = planOf(spec, settings);
  } catch (error) {
    if (error instanceof ApplicationFailure) throw error;
    throw invalid(error instanceof Error ? error.message : String(error));
  }
  return { plan, settings };
}

/**
 * The graph interpreter workflow: runs a GraphSpec's nodes as activities (each registered by the
 * worker under its runnable's name) by the same scheduling rules as the in-process executor,
 * and returns the output with every node's outcome. Pause, resume and cancel by signal
 * (`GRAPH_SIGNALS`); progress and events by query (`GRAPH_QUERIES`). Continues as new before the
 * history grows large. Start it with `createTemporalGraphWorkflow`.
 */
export async function batonGraph(args: BatonGraphInput): Promise<GraphWireResult> {
  const { plan, settings } = prepare(args, await wireSpecOf(args));
  const interpreter = new GraphInterpreter(plan, settings, args);
  return interpreter.run();
}

/** `value` as JSON text (`undefined` for `undefined`), or `null` when it is not JSON. */
function jsonText(value: unknown): string | undefined | null {
  try {
    return JSON.stringify(value);
  } catch {
    return null;
  }
}

/** How often a node is started again after the worker running it was lost. */
const LOST_WORKER_RESTARTS = 3;
const RESTART_LOST_NODE_PATCH = 'baton.graph.restart-node-of-lost-worker';

/** The activity's worker stopped heartbeating: it died or lost the server. */
function workerLost(error: unknown): boolean {
  const cause = (error as { cause?: { name?: unknown; timeoutType?: unknown } } | null)?.cause;
  return cause?.name === 'TimeoutFailure' && cause.timeoutType === 'HEARTBEAT';
}

class GraphInterpreter {
  readonly run$: GraphRun;
  readonly #scope = new CancellationScope();
  readonly #proxies = new Map<ActivityOptions, NodeActivities>();
  /** Restarts of a node whose worker was lost, by node. */
  readonly #lostWorkers = new Map<number, number>();
  readonly #carried: CarriedState;
  #running = 0;
  #paused: boolean;
  #draining = false;
  #stopping: WireError | undefined;
  #dirty = false;

  constructor(
    readonly plan: GraphPlan,
    readonly settings: GraphInterpreterSettings,
    readonly args: BatonGraphInput,
  ) {
    this.#carried = args.carried ?? {
      runs: 1,
      startedAt: Date.now(),
      lastEvent: -1,
      paused: false,
      outcomes: [],
    };
    this.#paused = this.#carried.paused;
    this.run$ = new GraphRun(plan, settings, this.#carried.lastEvent);
    setHandler(progressQuery, () => this.#progress());
    setHandler(eventsQuery, (after = -1) => this.run$.events.filter((e) => e.seq > after));
    setHandler(pauseSignal, () => this.#set(() => (this.#paused = true)));
    setHandler(resumeSignal, () => this.#set(() => (this.#paused = false)));
    setHandler(cancelSignal, (reason?: string) =>
      this.#stop({
        code: 'task_canceled',
        message: `${plan.spec.name}: canceled${reason === undefined ? '' : ` (${reason})`}`,
        retryable: false,
      }),
    );
  }

  #set(change: () => void): void {
    change();
    this.#dirty = true;
  }

  #stop(error: WireError): void {
    if (this.#stopping !== undefined) return;
    this.#stopping = error;
    this.#scope.cancel();
    this.#dirty = true;
  }

  #progress(): GraphProgress {
    const s = this.run$.scheduler;
    const total = this.plan.graph.size;
    const running = this.#running;
    const status = this.#stopping
      ? 'stopping'
      : this.#draining
        ? 'draining'
        : this.#paused
          ? 'paused'
          : 'running';
    return {
      total,
      pending: total - running - s.succeeded - s.failed - s.skipped,
      running,
      succeeded: s.succeeded,
      failed: s.failed,
      skipped: s.skipped,
      status,
      runs: this.#carried.runs,
      lastEvent: this.run$.lastEvent,
    };
  }

  async run(): Promise<GraphWireResult> {
    const run = this.run$;
    run.restore(this.#carried.outcomes);
    this.#startTimer();
    try {
      for (;;) {
        if (run.doomed !== undefined) this.#stop(run.doomed);
        this.#pump();
        if (this.#stopping !== undefined) {
          if (this.#running === 0) throw fail(this.#stopping, this.plan.spec.name);
        } else if (run.scheduler.settled === this.plan.graph.size) {
          return this.#finish();
        } else if (this.#draining || this.#historyFull()) {
          this.#draining = true;
          if (this.#running === 0) await this.#continueAsNew();
        } else if (this.#running === 0 && run.queue.size === 0 && !this.#paused) {
          throw invalid('no node can run and the run is not over (a bug: please report it)');
        }
        await condition(() => this.#dirty);
        this.#dirty = false;
      }
    } catch (error) {
      // Canceled from outside: running activities are canceled with the workflow; wait for them.
      if (isCancellation(error))
        await CancellationScope.nonCancellable(() => condition(() => this.#running === 0));
      throw error;
    }
  }

  #startTimer(): void {
    const ms = this.plan.spec.settings.timeoutMs;
    if (ms <= 0) return;
    const left = this.#carried.startedAt + ms - Date.now();
    const timedOut = (): void =>
      this.#stop({
        code: 'timeout',
        message: `${this.plan.spec.name} timed out after ${ms} ms`,
        retryable: true,
        details: { timeoutMs: ms },
      });
    if (left <= 0) return timedOut();
    void CancellationScope.cancellable(() => sleep(left)).then(timedOut, () => {});
  }

  #historyFull(): boolean {
    const info = workflowInfo();
    return (
      info.historyLength >= this.settings.continueAsNewAfterEvents ||
      info.historySize >= this.settings.continueAsNewAfterBytes
    );
  }

  #pump(): void {
    const run = this.run$;
    const limit = this.plan.concurrency;
    while (
      this.#stopping === undefined &&
      run.doomed === undefined &&
      !this.#paused &&
      !this.#draining &&
      this.#running < limit &&
      run.queue.size > 0
    ) {
      this.#start(run.queue.pop());
    }
  }

  #proxy(i: number): NodeActivities {
    const options = this.plan.options[i] as ActivityOptions;
    let proxy = this.#proxies.get(options);
    if (proxy === undefined) {
      proxy = proxyActivities<NodeActivities>(options);
      this.#proxies.set(options, proxy);
    }
    return proxy;
  }

  #start(i: number): void {
    const run = this.run$;
    const plan = this.plan;
    const name = run.nodeName(i);
    const input = run.inputOf(i, this.args.input);
    const max = this.settings.maxPayloadBytes;
    const text = jsonText(input);
    const bytes = text === null ? Infinity : text === undefined ? 0 : utf8Length(text);
    if (bytes > max) {
      run.starting(i);
      run.failed(i, {
        code: 'resource_exhausted',
        message: `${plan.spec.name}: the input of node "${name}" is ${bytes} bytes of JSON, over maxPayloadBytes (${max}); pass references (e.g. storage keys) between nodes instead of large values`,
        retryable: false,
        details: { node: name, bytes, maxPayloadBytes: max },
      });
      return;
    }
    const pure = plan.pure[i];
    if (pure !== undefined) {
      // Inline: no activity, no history events (a retry's backoff is a workflow timer).
      run.starting(i);
      this.#running++;
      this.#scope
        .run(() => runPureNode(pure, text ?? undefined))
        .then(
          (outcome) => (outcome.ok ? this.#done(i, outcome) : this.#settleFailed(i, outcome.error)),
          (error: unknown) => this.#failed(i, error),
        );
      return;
    }
    const router = plan.router[i];
    const call: NodeCall = {
      graph: plan.spec.name,
      node: name,
      fingerprint: plan.spec.fingerprint,
      maxPayloadBytes: max,
      ...(router === undefined ? {} : { router, targets: plan.targets[i] as readonly string[] }),
    };
    const activity = this.#proxy(i)[plan.activity[i] as string] as NodeActivities[string];
    run.starting(i);
    this.#running++;
    this.#scope
      .run(() => activity(input, call))
      .then(
        (result) => this.#done(i, result),
        (error: unknown) => this.#failed(i, error),
      );
  }

  #done(i: number, result: NodeCallResult): void {
    this.#running--;
    this.#dirty = true;
    if (this.#stopping !== undefined) return;
    const run = this.run$;
    const picked = result.picks;
    let picks: number[] | undefined;
    if (picked !== undefined) {
      picks = picked.map((t) => this.plan.index.get(t) ?? -1);
      if (picks.includes(-1)) {
        run.failed(i, {
          code: 'invalid_state',
          message: `${this.plan.spec.name}.${run.nodeName(i)}.router: picked ${JSON.stringify(picked)}, not all of them its targets`,
          retryable: false,
        });
        return;
      }
    }
    run.succeeded(i, result.output, picks);
  }

  #settleFailed(i: number, error: WireError): void {
    this.#running--;
    this.#dirty = true;
    if (this.#stopping === undefined) this.run$.failed(i, error);
  }

  #failed(i: number, error: unknown): void {
    this.#running--;
    this.#dirty = true;
    if (this.#stopping !== undefined || isCancellation(error)) return;
    // A worker that died mid-node is no failure of the node: run it again elsewhere, without
    // spending the node's retries (patched: older histories failed the node here).
    const lost = this.#lostWorkers.get(i) ?? 0;
    if (workerLost(error) && lost < LOST_WORKER_RESTARTS && patched(RESTART_LOST_NODE_PATCH)) {
      this.#lostWorkers.set(i, lost + 1);
      this.#start(i);
      return;
    }
    const attempts = (this.plan.retries[i] as number) + 1;
    this.run$.failed(i, nodeFailure(error, this.run$.nodeName(i), attempts));
  }

  async #continueAsNew(): Promise<never> {
    const next: BatonGraphInput = {
      ...this.args,
      carried: {
        runs: this.#carried.runs + 1,
        startedAt: this.#carried.startedAt,
        lastEvent: this.run$.lastEvent,
        paused: this.#paused,
        outcomes: this.run$.log,
      },
    };
    const bytes = jsonBytes(next);
    if (bytes > this.settings.maxPayloadBytes) {
      throw fail(
        {
          code: 'resource_exhausted',
          message: `${this.plan.spec.name}: the state to continue as new with is ${bytes} bytes of JSON, over maxPayloadBytes (${this.settings.maxPayloadBytes}); keep node outputs small (pass references) or raise continueAsNewAfterEvents`,
          retryable: false,
          details: { bytes },
        },
        this.plan.spec.name,
      );
    }
    return continueAsNew<typeof batonGraph>(next);
  }

  #finish(): GraphWireResult {
    const run = this.run$;
    const s = run.scheduler;
    if (s.rootFailure >= 0) throw fail(run.failure(s.rootFailure), this.plan.spec.name);
    const found = finishOutput(this.plan.graph, s.state, run.outputs);
    if (!found.ok) {
      const names = found.finishes.map((n) => `"${n}"`).join(', ');
      throw fail(
        {
          code: 'invalid_state',
          message: `${this.plan.spec.name}: no finish point produced an output (${names} skipped); join the branches of a router with withNodeTriggerRule('none_failed_min_one_success') (or optional edges)`,
          retryable: false,
          details: {
            finishPoints: found.finishes,
            outputs: run.succeededOutputs(),
            nodes: run.statuses(),
            failures: run.failures(),
          },
        },
        this.plan.spec.name,
      );
    }
    const result: GraphWireResult = {
      output: found.value,
      outputs: run.succeededOutputs(),
      nodes: run.statuses(),
      failures: run.failures(),
      runs: this.#carried.runs,
    };
    if (jsonBytes(result) <= this.settings.maxPayloadBytes) return result;
    const { outputs: _omitted, ...rest } = result;
    if (jsonBytes(rest) <= this.settings.maxPayloadBytes) return rest;
    throw fail(
      {
        code: 'resource_exhausted',
        message: `${this.plan.spec.name}: the graph's output is over maxPayloadBytes (${this.settings.maxPayloadBytes}) as JSON; return references (e.g. storage keys) from the finish points`,
        retryable: false,
      },
      this.plan.spec.name,
    );
  }
}
