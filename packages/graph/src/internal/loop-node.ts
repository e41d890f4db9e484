import { OrchestrationError, toOrchestrationError, type NodeLoopConfig } from '@baton/core';
import { execute, type ExecutionContext } from '@baton/core/authoring';
import { interruptedError } from './interrupts.js';
import type { NodeEnv } from './node-runner.js';
import type { NodeSpec } from './node-spec.js';
import { repeatHost, RepeatStep } from './repeat-context.js';
import { RepeatLog } from './repeat-log.js';

type Until = (output: unknown, iteration: number) => boolean | PromiseLike<boolean>;

async function holds(
  until: Until,
  output: unknown,
  iteration: number,
  op: string,
): Promise<boolean> {
  try {
    return await until(output, iteration);
  } catch (error) {
    throw toOrchestrationError(error, `${op}.until`);
  }
}

/** Ends a canceled loop or map between iterations or items. */
function stopIfAborted(signal: AbortSignal, op: string): void {
  if (signal.aborted) throw toOrchestrationError(signal.reason, op, 'task_canceled');
}

function exhausted(op: string, maxIterations: number): OrchestrationError {
  return new OrchestrationError(
    'resource_exhausted',
    `${op}: the loop ran maxIterations (${maxIterations}) iterations and its until condition never held; raise withNodeLoop({ maxIterations }) or check the condition`,
    { op, retryable: false, details: { limit: 'maxIterations', maxIterations } },
  );
}

/**
 * Runs a loop node: its runnable on the input, then on its own output, until `until` holds.
 * Each iteration's output is recorded before the next starts, so a resumed run (or a retry of
 * the node) continues after the last recorded iteration.
 */
export async function runLoop(
  node: NodeSpec,
  config: NodeLoopConfig,
  input: unknown,
  ctx: ExecutionContext,
  env: NodeEnv,
): Promise<unknown> {
  const op = `${env.graphName}.${node.name}`;
  const until = config.until as Until;
  const host = repeatHost(node, ctx, op);
  const log = await RepeatLog.open(
    host.scope.store,
    host.logId,
    op,
    input,
    host.resuming,
    env.logger,
  );
  let value = input;
  let done = 0;
  while (log.restored.has(done + 1)) value = log.restored.get(++done);
  try {
    if (done > 0 && (await holds(until, value, done, op))) {
      await log.finish('succeeded');
      return value;
    }
    for (let iteration = done + 1; ; iteration++) {
      stopIfAborted(ctx.signal, op);
      if (iteration > config.maxIterations) throw exhausted(op, config.maxIterations);
      const step = new RepeatStep(host, `${node.name}/${iteration}`);
      let output: unknown;
      try {
        output = await execute(node.runnable, value, step.context(ctx, ctx.signal, 1, op));
      } catch (error) {
        if (step.asked) throw interruptedError(op, {});
        throw error;
      }
      if (step.asked) throw interruptedError(op, {});
      // A canceled loop whose runnable ignored its signal records nothing more.
      stopIfAborted(ctx.signal, op);
      await log.succeeded(iteration, output, 1);
      if (await holds(until, output, iteration, op)) {
        await log.finish('succeeded');
        return output;
      }
      value = output;
    }
  } catch (error) {
    const e = toOrchestrationError(error, op);
    const status =
      e.details.reason === 'interrupted'
        ? 'interrupted'
        : ctx.signal.aborted
          ? 'canceled'
          : 'failed';
    await log.finish(status);
    throw e;
  }
}
