import {
  OrchestrationError,
  retryPolicy,
  toOrchestrationError,
  type NodeMapConfig,
  type RetryPolicy,
} from '@baton/core';
import {
  childController,
  emitStepError,
  execute,
  runWithRetry,
  showValue,
  type ExecutionContext,
} from '@baton/core/authoring';
import { interruptedError } from './interrupts.js';
import type { NodeEnv } from './node-runner.js';
import type { NodeSpec } from './node-spec.js';
import { repeatHost, RepeatStep, type RepeatHost } from './repeat-context.js';
import { RepeatLog } from './repeat-log.js';

/** One map node execution: its items, results, and how it is going. */
interface MapState {
  readonly items: readonly unknown[];
  readonly results: unknown[];
  readonly ok: Uint8Array;
  next: number;
  failure: OrchestrationError | undefined;
  interrupted: boolean;
}

function itemFailed(op: string, index: number, error: OrchestrationError): OrchestrationError {
  return new OrchestrationError(error.code, `${op}: item ${index} failed: ${error.message}`, {
    op,
    cause: error,
    retryable: error.retryable,
    details: { item: index },
  });
}

/** The per-item retry policy: the node's backoff, `retries + 1` attempts. */
function itemPolicy(node: NodeSpec, config: NodeMapConfig): RetryPolicy | undefined {
  if (config.retries === 0) return undefined;
  return retryPolicy({ ...node.config.retryPolicy, maxAttempts: config.retries + 1 }).match(
    (policy) => policy,
    (error) => {
      throw error;
    },
  );
}

/**
 * Runs a map node: its runnable over every item of the input list, at most `concurrency` at
 * once, each with its own retries. Each finished item is recorded, so a resumed run (or a retry
 * of the node) runs only the items that had not finished. Results keep the input order.
 */
export async function runMap(
  node: NodeSpec,
  config: NodeMapConfig,
  input: unknown,
  ctx: ExecutionContext,
  env: NodeEnv,
): Promise<unknown[]> {
  const op = `${env.graphName}.${node.name}`;
  if (!Array.isArray(input)) {
    throw new OrchestrationError(
      'invalid_input',
      `${op}: a map node (withNodeMap) needs a list as input, got ${showValue(input)}`,
      { op, retryable: false, details: { node: node.name } },
    );
  }
  const items = input as readonly unknown[];
  const host = repeatHost(node, ctx, op);
  const log = await RepeatLog.open(
    host.scope.store,
    host.logId,
    op,
    items,
    host.resuming,
    env.logger,
  );
  const state: MapState = {
    items,
    results: new Array<unknown>(items.length),
    ok: new Uint8Array(items.length),
    next: 0,
    failure: undefined,
    interrupted: false,
  };
  const { controller, dispose } = childController(ctx.signal);
  const workers = Math.min(config.concurrency, items.length);
  const policy = itemPolicy(node, config);
  try {
    const runs: Promise<void>[] = [];
    for (let w = 0; w < workers; w++)
      runs.push(worker(state, { node, config, policy, host, log, ctx, controller, op, env }));
    await Promise.all(runs);
  } finally {
    dispose();
  }
  const status = state.failure ? 'failed' : state.interrupted ? 'interrupted' : 'succeeded';
  await log.finish(ctx.signal.aborted ? 'canceled' : status);
  if (ctx.signal.aborted) throw toOrchestrationError(ctx.signal.reason, op, 'task_canceled');
  if (state.failure !== undefined) throw state.failure;
  if (state.interrupted) throw interruptedError(op, {});
  return config.onItemError === 'skip'
    ? state.results.filter((_, i) => state.ok[i] === 1)
    : state.results;
}

interface MapRun {
  readonly node: NodeSpec;
  readonly config: NodeMapConfig;
  readonly policy: RetryPolicy | undefined;
  readonly host: RepeatHost;
  readonly log: RepeatLog;
  readonly ctx: ExecutionContext;
  readonly controller: AbortController;
  readonly op: string;
  readonly env: NodeEnv;
}

/** Takes items one after another until none is left, one fails, or one interrupts. */
async function worker(state: MapState, run: MapRun): Promise<void> {
  const { node, log, policy, ctx, controller, op } = run;
  while (
    state.failure === undefined &&
    !state.interrupted &&
    !controller.signal.aborted &&
    state.next < state.items.length
  ) {
    const i = state.next++;
    if (log.restored.has(i)) {
      state.results[i] = log.restored.get(i);
      state.ok[i] = 1;
      continue;
    }
    const step = new RepeatStep(run.host, `${node.name}/${i}`);
    let attempts = 1;
    const attempt = (n: number, c: ExecutionContext): Promise<unknown> => {
      attempts = n;
      return execute(node.runnable, state.items[i], step.context(c, c.signal, n, op));
    };
    const itemCtx: ExecutionContext = { ...ctx, signal: controller.signal };
    try {
      const output = await (policy === undefined
        ? attempt(1, itemCtx)
        : runWithRetry(policy, `${node.name}[${i}]`, itemCtx, attempt));
      if (step.asked) {
        state.interrupted = true;
        continue;
      }
      // A canceled map whose runnable ignored its signal records nothing more.
      if (controller.signal.aborted) return;
      await log.succeeded(i, output, attempts);
      state.results[i] = output;
      state.ok[i] = 1;
    } catch (error) {
      if (step.asked) {
        state.interrupted = true;
        continue;
      }
      if (controller.signal.aborted) return; // the node was canceled, or another item failed
      const e = toOrchestrationError(error, `${op}[${i}]`);
      log.failed(i, e, attempts);
      if (run.config.onItemError === 'skip') {
        skipped(run, i, e);
        continue;
      }
      state.failure ??= itemFailed(op, i, e);
      controller.abort(state.failure);
    }
  }
}

/** Reports an item left out of the output: a `step-error` event and a warning. */
function skipped(run: MapRun, index: number, error: OrchestrationError): void {
  const { ctx, env, node } = run;
  if (ctx.sink !== undefined)
    emitStepError(ctx, String(index), error, [...ctx.path, String(index)]);
  env.logger.warn('map item failed and was skipped', {
    graph: env.graphName,
    node: node.name,
    item: index,
    error: error.message,
  });
}
