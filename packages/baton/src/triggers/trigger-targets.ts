import {
  OrchestrationError,
  isCancellation,
  toOrchestrationError,
  type Chain,
  type CheckpointStore,
  type Graph,
  type RunHandle,
  type StoredRun,
  type Workflow,
} from '@baton/core';
import { err, ok, type Result, type ResultAsync } from 'neverthrow';
import type { LoadedPipeline } from '../run-pipeline.js';

/** What a trigger starts a run of, per event. */
export type TriggerTarget = Graph<never> | Chain<never> | LoadedPipeline | Workflow<never>;

/** A run going on: its outcome, and how to stop it (graceful stop without drain). */
export interface TargetRun {
  /** `interrupted`: the run waits for answers (`ctx.interrupt`); its state is stored. */
  readonly outcome: Promise<Result<'completed' | 'interrupted', OrchestrationError>>;
  cancel(reason: string): void;
}

/** What starting the run of one event came to. */
type BegunRun =
  | { readonly kind: 'skipped' }
  | { readonly kind: 'failed-before'; readonly error: OrchestrationError }
  | { readonly kind: 'started' | 'resumed'; readonly run: TargetRun };

/**
 * One kind of target behind one interface. `begin` records the run durably before it returns
 * `started` (so the delivery may be marked `recorded`), or finds the run of an earlier delivery.
 */
export interface RunTarget {
  readonly kind: 'graph' | 'chain' | 'pipeline' | 'workflow';
  readonly name: string;
  /** `signal`: a stop that cancels the run; a `begin` still waiting returns `task_canceled`. */
  begin(
    runId: string,
    input: unknown,
    signal?: AbortSignal,
  ): Promise<Result<BegunRun, OrchestrationError>>;
}

const OP = 'createTrigger';

async function settle<T>(
  call: () => ResultAsync<T, OrchestrationError>,
  op: string,
): Promise<Result<T, OrchestrationError>> {
  try {
    return await call();
  } catch (error) {
    return err(toOrchestrationError(error, op, 'dependency_failed'));
  }
}

/** A stored run, `undefined` when there is none, or the store's error. */
async function storedRun(
  store: CheckpointStore,
  runId: string,
  op: string,
): Promise<Result<StoredRun | undefined, OrchestrationError>> {
  const loaded = await settle(() => store.loadRun(runId), op);
  if (loaded.isOk()) return ok(loaded.value);
  return loaded.error.code === 'not_found' ? ok(undefined) : err(loaded.error);
}

function failedBefore(name: string, runId: string): BegunRun {
  return {
    kind: 'failed-before',
    error: new OrchestrationError(
      'execution_failed',
      `${name}: run "${runId}" of this event failed before (see its checkpoints); the event goes to the dead letter again`,
      { op: name, details: { runId } },
    ),
  };
}

function handleRun(handle: RunHandle): TargetRun {
  return {
    outcome: Promise.resolve(handle.result).then((result) => {
      if (result.isOk()) return ok('completed' as const);
      return handle.status() === 'interrupted' ? ok('interrupted' as const) : err(result.error);
    }),
    cancel: (reason) => handle.cancel(reason),
  };
}

function graphTarget(
  graph: Graph<never>,
  kind: 'graph' | 'pipeline',
): Result<RunTarget, OrchestrationError> {
  const store = graph.checkpointer;
  if (store === undefined) {
    return err(
      new OrchestrationError(
        'invalid_config',
        `${OP}: graph "${graph.name}" has no checkpoints, so a redelivered event would run it again; create it withGraphCheckpointer(store) (or the Orchestrator withCheckpointStore(store))`,
        { op: OP, details: { field: 'target', target: graph.name } },
      ),
    );
  }
  const name = graph.name;
  return ok({
    kind,
    name,
    async begin(runId, input) {
      const op = `${name}.trigger`;
      const found = await storedRun(store, runId, op);
      if (found.isErr()) return err(found.error);
      const status = found.value?.run.status;
      if (status === 'succeeded') return ok({ kind: 'skipped' });
      if (status === 'failed') return ok(failedBefore(name, runId));
      if (found.value === undefined) {
        // The trigger's own record makes the run durable before any node runs; the graph then
        // continues it as a stored run (the stored input wins), like any resume.
        const now = Date.now();
        const saved = await settle(
          () =>
            store.saveRun({
              runId,
              graph: name,
              status: 'pending',
              input,
              startedAt: now,
              updatedAt: now,
            }),
          op,
        );
        if (saved.isErr()) return err(saved.error);
      }
      const resumed = await settle(() => graph.resume(runId), op);
      if (resumed.isErr()) return err(resumed.error);
      return ok({
        kind: found.value === undefined ? 'started' : 'resumed',
        run: handleRun(resumed.value),
      });
    },
  });
}

function chainTarget(
  chain: Chain<never>,
  ledger: CheckpointStore | undefined,
): Result<RunTarget, OrchestrationError> {
  if (ledger === undefined) {
    return err(
      new OrchestrationError(
        'invalid_config',
        `${OP}: chain "${chain.name}" has no checkpoints; give the trigger withTriggerLedger(store) to record its runs, so a redelivered event does not run it again`,
        { op: OP, details: { field: 'ledger', target: chain.name } },
      ),
    );
  }
  const name = chain.name;
  const record = (
    runId: string,
    input: unknown,
    startedAt: number,
    status: 'running' | 'succeeded' | 'failed',
  ) =>
    settle(
      () =>
        ledger.saveRun({
          runId,
          graph: name,
          status,
          input,
          startedAt,
          updatedAt: Date.now(),
          metadata: { kind: 'chain' },
        }),
      `${name}.trigger`,
    );
  return ok({
    kind: 'chain',
    name,
    async begin(runId, input) {
      const op = `${name}.trigger`;
      const found = await storedRun(ledger, runId, op);
      if (found.isErr()) return err(found.error);
      const stored = found.value?.run;
      if (stored?.status === 'succeeded') return ok({ kind: 'skipped' });
      if (stored?.status === 'failed') return ok(failedBefore(name, runId));
      // A chain keeps no state between steps: an unfinished run starts over with its stored input.
      const runInput = stored === undefined ? input : stored.input;
      const startedAt = stored?.startedAt ?? Date.now();
      const saved = await record(runId, runInput, startedAt, 'running');
      if (saved.isErr()) return err(saved.error);
      const controller = new AbortController();
      const outcome = (async (): Promise<Result<'completed', OrchestrationError>> => {
        const result = await settle(
          () => chain.invoke(runInput as never, { runId, signal: controller.signal }),
          op,
        );
        // Canceled (a stop, a shutdown): the ledger keeps `running`, the redelivery starts over.
        if (result.isErr() && (controller.signal.aborted || isCancellation(result.error)))
          return err(result.error);
        const written = await record(
          runId,
          runInput,
          startedAt,
          result.isOk() ? 'succeeded' : 'failed',
        );
        // The chain ran but its outcome is not stored: not a failure of the event. The ledger
        // still says `running`, so the event is released and its redelivery runs it again.
        if (written.isErr())
          return err(
            new OrchestrationError(
              'dependency_failed',
              `${op}: the outcome of run "${runId}" could not be written to the ledger; the event is released and runs again`,
              {
                op,
                cause: written.error,
                details: { runId, outcomeUnknown: true },
              },
            ),
          );
        return result.isOk() ? ok('completed') : err(result.error);
      })();
      return ok({
        kind: stored === undefined ? 'started' : 'resumed',
        run: { outcome, cancel: (reason) => controller.abort(reason) },
      });
    },
  });
}

/** `pending`, or `task_canceled` as soon as `signal` aborts. */
async function untilAborted<T>(
  pending: Promise<Result<T, OrchestrationError>>,
  signal: AbortSignal | undefined,
  op: string,
): Promise<Result<T, OrchestrationError>> {
  if (signal === undefined) return pending;
  const canceled = (): Result<T, OrchestrationError> =>
    err(
      new OrchestrationError('task_canceled', `${op}: stopped while waiting for the execution`, {
        op,
        cause: signal.reason,
      }),
    );
  if (signal.aborted) return canceled();
  let onAbort!: () => void;
  const aborted = new Promise<Result<T, OrchestrationError>>(
    (resolve) => (onAbort = () => resolve(canceled())),
  );
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([pending, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function workflowTarget(workflow: Workflow<never>): RunTarget {
  const name = workflow.name;
  const op = `${name}.trigger`;
  const outcomeOf = (result: Promise<Result<unknown, OrchestrationError>>): TargetRun => ({
    outcome: result.then((r) =>
      r
        .map(() => 'completed' as const)
        .mapErr((error) =>
          // The server could not be asked: the execution's outcome is unknown, not a failure.
          error.code === 'dependency_failed' || error.code === 'timeout'
            ? new OrchestrationError('dependency_failed', error.message, {
                op: error.op,
                cause: error,
                details: { ...error.details, outcomeUnknown: true },
              })
            : error,
        ),
    ),
    // Stops waiting, not the execution: it runs on the server, and the event's redelivery
    // attaches to it again.
    cancel: () => undefined,
  });
  return {
    kind: 'workflow',
    name,
    async begin(runId, input, signal) {
      // An execution under this id (running or closed) is the event's run: wait for it.
      // Starting first would start a second run when the first one had closed (Temporal allows
      // a closed id to be reused). A run that is still going is reported once it ends; a stop
      // that cancels ends the wait (`signal`), the execution goes on on the server.
      const existing = await untilAborted(
        settle(() => workflow.getResult(runId), op),
        signal,
        op,
      );
      if (existing.isErr() && signal?.aborted === true) return err(existing.error);
      if (existing.isOk() || existing.error.code !== 'not_found')
        return ok({ kind: 'resumed', run: outcomeOf(Promise.resolve(existing)) });
      const started = await settle(
        () => workflow.execute(input as never, { workflowId: runId }),
        op,
      );
      if (started.isErr() && started.error.details.reason !== 'already-started')
        return err(started.error);
      const kind = started.isOk() ? 'started' : 'resumed';
      return ok({ kind, run: outcomeOf(settle(() => workflow.getResult(runId), op)) });
    },
  };
}

function isLoadedPipeline(target: object): target is LoadedPipeline {
  const t = target as Partial<LoadedPipeline>;
  return typeof t.graph === 'object' && t.graph !== null && typeof t.compiled === 'object';
}

function isGraph(target: object): target is Graph<never> {
  const t = target as Partial<Graph>;
  return typeof t.startOrResume === 'function' && typeof t.resume === 'function';
}

function isWorkflow(target: object): target is Workflow<never> {
  const t = target as Partial<Workflow>;
  return typeof t.execute === 'function' && typeof t.getResult === 'function';
}

function isChain(target: object): target is Chain<never> {
  const t = target as Partial<Chain>;
  return typeof t.invoke === 'function' && Array.isArray(t.inputKeys);
}

/** The target behind one interface, or `invalid_config` saying what is missing. */
export function runTarget(
  target: unknown,
  ledger: CheckpointStore | undefined,
): Result<RunTarget, OrchestrationError> {
  if (typeof target === 'object' && target !== null) {
    if (isLoadedPipeline(target)) return graphTarget(target.graph, 'pipeline');
    if (isGraph(target)) return graphTarget(target, 'graph');
    if (isWorkflow(target)) return ok(workflowTarget(target));
    if (isChain(target)) return chainTarget(target, ledger);
  }
  return err(
    new OrchestrationError(
      'invalid_config',
      `${OP}: the target must be a Graph, a Chain, a loaded pipeline (orchestrator.loadPipeline) or a Workflow`,
      { op: OP, details: { field: 'target' } },
    ),
  );
}
