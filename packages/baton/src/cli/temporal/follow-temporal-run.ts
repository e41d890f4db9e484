/**
 * Follows a pipeline run on Temporal to its end for the CLI's reporters: polls the interpreter's
 * `events` query, turns each event into the `RunEvent` the in-process run emits, and waits for
 * the result. Ctrl-C cancels the workflow (Temporal records it as canceled).
 */
import { OrchestrationError, type RunEvent } from '@baton/core';
import type {
  GraphEvent,
  GraphRunResult,
  NodeStatus,
  TemporalGraphWorkflow,
} from '@baton/workflow-temporal';
import type { Result } from 'neverthrow';
import { EXIT, exitCodeOfRun } from '../exit-codes.js';
import type { Reporter, RunInfo, RunOutcome } from '../reporter.js';
import { RunModel } from '../run-model.js';

/** How often the CLI asks the workflow for new events. */
const EVENTS_POLL_MS = 250;

/** What {@link followTemporalRun} needs. */
export interface FollowedRun {
  readonly workflow: TemporalGraphWorkflow;
  readonly info: RunInfo;
  /** Each task's `when`, to say why a task was skipped. */
  readonly conditions: ReadonlyMap<string, string>;
  readonly reporter: Reporter;
  /** Told once when the events query gets no answer (no worker polls the task queue). */
  readonly noAnswer: string;
}

/** Turns the interpreter's events into in-process `RunEvent`s (step-end carries no output). */
class EventMapper {
  readonly #starts = new Map<string, number>();
  readonly #attempts = new Map<string, number>();
  constructor(readonly runId: string) {}

  map(e: GraphEvent): RunEvent {
    const at = { runId: this.runId, step: e.step, path: [e.step] };
    switch (e.type) {
      case 'step-start': {
        const attempt = (this.#attempts.get(e.step) ?? 0) + 1;
        this.#attempts.set(e.step, attempt);
        this.#starts.set(e.step, e.timestamp);
        return { type: 'step-start', ...at, attempt, timestamp: e.timestamp };
      }
      case 'step-end': {
        const durationMs = e.timestamp - (this.#starts.get(e.step) ?? e.timestamp);
        return { type: 'step-end', ...at, output: undefined, durationMs, timestamp: e.timestamp };
      }
      case 'step-skip':
        return { type: 'step-skip', ...at, reason: e.reason ?? 'skipped', timestamp: e.timestamp };
      case 'step-error': {
        const code = (e.code ?? 'execution_failed') as OrchestrationError['code'];
        const error = new OrchestrationError(code, e.message ?? `${e.step} failed`, { op: e.step });
        return { type: 'step-error', ...at, error, timestamp: e.timestamp };
      }
    }
  }
}

const STATES: Record<NodeStatus, 'done' | 'failed' | 'skipped'> = {
  succeeded: 'done',
  failed: 'failed',
  skipped: 'skipped',
};

/** Tasks whose events were not seen (the query keeps the newest only) take the result's word. */
function reconcile(model: RunModel, nodes: Readonly<Record<string, NodeStatus>> | undefined): void {
  for (const [id, status] of Object.entries(nodes ?? {})) {
    const task = model.tasks.get(id);
    if (task !== undefined && task.state !== STATES[status]) task.state = STATES[status];
  }
}

/** The run's error as the in-process run words it: without the client call's `<name>.getResult: `. */
function unwrapped(error: OrchestrationError): OrchestrationError {
  const prefix = `${error.op}: `;
  if (!error.op.endsWith('.getResult') || !error.message.startsWith(prefix)) return error;
  return new OrchestrationError(error.code, error.message.slice(prefix.length), {
    op: error.op.slice(0, -'.getResult'.length),
    cause: error.cause,
    retryable: error.retryable,
    details: error.details,
  });
}

function outcomeOf(report: Result<GraphRunResult, OrchestrationError>): RunOutcome {
  if (report.isOk())
    return { status: 'succeeded', output: report.value.output, failures: report.value.failures };
  const error = unwrapped(report.error);
  return { status: error.code === 'task_canceled' ? 'canceled' : 'failed', error };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Follows the run to its end and returns the exit code (0, 1 or 130, as in-process). */
export async function followTemporalRun(run: FollowedRun): Promise<number> {
  const { workflow, info, reporter } = run;
  const id = info.runId;
  const model = new RunModel(info.tasks, Date.now(), run.conditions);
  const mapper = new EventMapper(id);
  const emit = (event: RunEvent): void => {
    model.apply(event);
    reporter.event(event, model);
  };
  reporter.start(info, model);
  emit({ type: 'run-start', runId: id, name: info.pipeline, timestamp: Date.now() });
  let after = -1;
  let warned = false;
  const poll = async (): Promise<void> => {
    const events = await workflow.events(id, after);
    if (events.isErr()) {
      if (!warned && events.error.code === 'timeout') reporter.note(run.noAnswer);
      warned ||= events.error.code === 'timeout';
      return;
    }
    for (const e of events.value) {
      if (e.seq <= after) continue;
      after = e.seq;
      emit(mapper.map(e));
    }
  };
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    reporter.note('canceling: the workflow is canceled on Temporal (Ctrl-C again to exit at once)');
    void workflow.cancel(id).mapErr((e) => reporter.note(`cancel failed: ${e.message}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let ended = false;
  const result = (async (): Promise<Result<GraphRunResult, OrchestrationError>> => {
    const r = await workflow.getResult(id);
    ended = true;
    return r;
  })();
  try {
    while (!ended) {
      await poll();
      await Promise.race([delay(EVENTS_POLL_MS), result]);
    }
    await poll(); // the events between the last poll and the end
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const report = await result;
  const outcome = outcomeOf(report);
  const now = Date.now();
  reconcile(model, report.isOk() ? report.value.nodes : nodesOf(report.error));
  if (outcome.status === 'succeeded') {
    const failures = report.isOk() ? report.value.failures : {};
    emit({
      type: 'run-end',
      runId: id,
      name: info.pipeline,
      output: outcome.output,
      durationMs: now - model.startedAt,
      timestamp: now,
      ...(Object.keys(failures).length === 0 ? {} : { failures }),
    });
  } else if (outcome.error !== undefined) {
    emit({
      type: 'step-error',
      runId: id,
      step: info.pipeline,
      path: [],
      error: outcome.error,
      timestamp: now,
    });
  }
  model.endedAt ??= now;
  reporter.finish(outcome, model);
  return exitCodeOfRun(outcome.status);
}

function nodesOf(error: OrchestrationError): Readonly<Record<string, NodeStatus>> | undefined {
  const nodes = (error.details as { nodes?: unknown }).nodes;
  return typeof nodes === 'object' && nodes !== null
    ? (nodes as Record<string, NodeStatus>)
    : undefined;
}
