import { OrchestrationError } from '@baton/core';
import type { ExecutionContext } from '@baton/core/authoring';
import { interruptAt } from './interrupts.js';
import { enclosingRun, nodeRun, type NodeExecution, type RunScope } from './run-scope.js';
import type { NodeSpec } from './node-spec.js';

/** The run and node execution a map or loop node runs in (from its context's token). */
export interface RepeatHost {
  readonly scope: RunScope;
  readonly task: NodeExecution;
  /** Id of the node's own records: `<run checkpoint id>/<node>`. */
  readonly logId: string;
  /** The node's records are its own to continue (a resumed run or a retried node). */
  readonly resuming: boolean;
}

/** Where map or loop node `node` runs; only a graph run calls it, so the token is there. */
export function repeatHost(node: NodeSpec, ctx: ExecutionContext, op: string): RepeatHost {
  const host = enclosingRun(ctx);
  if (host?.task === undefined) {
    throw new OrchestrationError(
      'invalid_state',
      `${op}: a map or loop node runs only in a graph run`,
      { op },
    );
  }
  const { scope, task } = host;
  return {
    scope,
    task,
    logId: `${scope.checkpointId}/${node.name}`,
    resuming: scope.resuming || task.attempts > 1,
  };
}

/**
 * One item or iteration of a map or loop node: an execution of its own (`<node>/<index>`), so a
 * graph run in it checkpoints under `<run id>/<node>/<index>` and its interrupts are keyed
 * `<node>/<index>`. `asked` is set when it interrupts.
 */
export class RepeatStep implements NodeExecution {
  attempts: number;
  nestedRuns = 0;
  asked = false;

  constructor(
    private readonly host: RepeatHost,
    readonly key: string,
  ) {
    this.attempts = host.task.attempts;
  }

  ask(key: string, payload: unknown): void {
    this.asked = true;
    this.host.task.ask(key, payload);
  }

  /** The step's context for attempt `n` (1 for the first), on `signal`. */
  context(ctx: ExecutionContext, signal: AbortSignal, n: number, op: string): ExecutionContext {
    // Retried (the item, or the node around it): a graph run in it continues its records.
    this.attempts = n + this.host.task.attempts - 1;
    this.nestedRuns = 0;
    const sink = ctx.sink;
    const index = this.key.slice(this.key.lastIndexOf('/') + 1);
    const path = sink === undefined ? ctx.path : [...ctx.path, index];
    const scope = this.host.scope;
    return {
      ...ctx,
      signal,
      path,
      enclosing: nodeRun(scope, this.key, this),
      interrupt: interruptAt(scope, this.key, this, { sink, runId: ctx.runId, path }, op),
    };
  }
}
