import {
  OrchestrationError,
  toOrchestrationError,
  type Logger,
  type RetryPolicy,
  type RunStats,
} from '@baton/core';
import {
  endSpanWithError,
  execute,
  recordRun,
  runWithHooks,
  runWithRetry,
  startSpan,
  withDeadline,
  type EventSink,
  type ExecutionContext,
  showValue,
} from '@baton/core/authoring';
import type { Context, Tracer } from '@opentelemetry/api';

import { readList } from './graph-structure.js';
import { runLoop } from './loop-node.js';
import { runMap } from './map-node.js';
import type { NodeSpec } from './node-spec.js';

/** What running a node needs from its run. */
export interface NodeEnv {
  readonly graphName: string;
  readonly runId: string;
  readonly sink: EventSink | undefined;
  readonly tracer: Tracer;
  /** Whether the graph span records: node spans are only created then. */
  readonly tracing: boolean;
  /** Context holding the graph span: the parent of every node span. */
  readonly otel: Context;
  readonly logger: Logger;
  /** Where node executions are recorded (`withRunStats`). */
  readonly stats: RunStats | undefined;
}

/** The node environment of a run whose graph context is `ctx`. */
export function nodeEnv(
  graphName: string,
  ctx: ExecutionContext,
  tracer: Tracer,
  tracing: boolean,
  logger: Logger,
  stats?: RunStats,
): NodeEnv {
  const { runId, sink, otel } = ctx;
  return { graphName, runId, sink, tracer, tracing, otel, logger, stats };
}

/** Mutable facts about one node execution that the run reads when it settles. */
export interface NodeOutcome {
  attempts: number;
  /** Node indices the router picked; `undefined` for nodes without a router. */
  picks: number[] | undefined;
  /** Graph runs the current attempt started (their checkpoint ids count on it). */
  nestedRuns: number;
}

/** One run of the node's body: its runnable, or its map or loop over it. */
function body(
  node: NodeSpec,
  input: unknown,
  ctx: ExecutionContext,
  env: NodeEnv,
): Promise<unknown> {
  const config = node.config;
  if (config.map !== undefined) return runMap(node, config.map, input, ctx, env);
  if (config.loop !== undefined) return runLoop(node, config.loop, input, ctx, env);
  return execute(node.runnable, input, ctx);
}

function call(
  node: NodeSpec,
  input: unknown,
  ctx: ExecutionContext,
  env: NodeEnv,
): Promise<unknown> {
  const ms = node.config.timeoutMs;
  if (ms <= 0) return body(node, input, ctx, env);
  return withDeadline(node.name, ms, ctx, (c) => body(node, input, c, env));
}

function attempt(
  node: NodeSpec,
  input: unknown,
  n: number,
  ctx: ExecutionContext,
  env: NodeEnv,
): Promise<unknown> {
  const sink = env.sink;
  if (sink !== undefined) {
    sink({
      type: 'step-start',
      runId: env.runId,
      step: node.name,
      path: ctx.path,
      attempt: n,
      timestamp: Date.now(),
    });
  }
  if (!env.tracing) return call(node, input, ctx, env);
  const attributes = {
    'baton.name': env.graphName,
    'baton.node.name': node.name,
    'baton.attempt': n,
    'baton.run.id': env.runId,
  };
  const { span, ctx: otel } = startSpan(env.tracer, 'baton.graph.node', attributes, env.otel);
  const traced: ExecutionContext = { ...ctx, otel };
  return call(node, input, traced, env).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      const e = toOrchestrationError(error, node.name);
      endSpanWithError(span, e);
      throw e;
    },
  );
}

function withRetries(
  node: NodeSpec,
  input: unknown,
  ctx: ExecutionContext,
  env: NodeEnv,
  outcome: NodeOutcome,
): Promise<unknown> {
  return runWithRetry(node.policy as RetryPolicy, node.name, ctx, (n, c) => {
    outcome.attempts = n;
    outcome.nestedRuns = 0;
    return attempt(node, input, n, c, env);
  });
}

/** Maps a router's answer to node indices; anything but declared target names fails. */
function resolvePicks(node: NodeSpec, picked: unknown, graphName: string): number[] {
  const op = `${graphName}.${node.name}.router`;
  const targets = node.routeIndex as Map<string, number>;
  const list: readonly unknown[] | undefined =
    typeof picked === 'string' ? [picked] : readList(picked);
  if (list === undefined) {
    throw new OrchestrationError(
      'invalid_state',
      `${op}: returned ${showValue(picked)}; return a target name or an array of target names`,
      { op },
    );
  }
  const out: number[] = [];
  for (const target of list) {
    const i = typeof target === 'string' ? targets.get(target) : undefined;
    if (i === undefined) {
      const declared = [...targets.keys()].map((t) => `"${t}"`).join(', ');
      throw new OrchestrationError(
        'invalid_state',
        `${op}: picked ${showValue(target)}, which is not one of its targets (${declared}); return one of them or declare it in addConditionalEdges`,
        { op, details: { node: node.name, picked: target, targets: [...targets.keys()] } },
      );
    }
    out.push(i);
  }
  return out;
}

/** Calls the node's router on `output`; sets `outcome.picks` and resolves with the output. */
export function route(
  node: NodeSpec,
  output: unknown,
  outcome: NodeOutcome,
  graphName: string,
): unknown {
  let picked: unknown;
  let thenable: boolean;
  try {
    picked = (node.router as (o: unknown) => unknown)(output);
    // Inside the try: an answer whose getters throw (a Proxy) is the router's failure too.
    thenable =
      typeof picked === 'object' &&
      picked !== null &&
      typeof (picked as PromiseLike<unknown>).then === 'function';
  } catch (error) {
    throw toOrchestrationError(error, `${graphName}.${node.name}.router`);
  }
  if (thenable) {
    return Promise.resolve(picked as PromiseLike<unknown>).then(
      (answer) => {
        outcome.picks = resolvePicks(node, answer, graphName);
        return output;
      },
      (error: unknown) => {
        throw toOrchestrationError(error, `${graphName}.${node.name}.router`);
      },
    );
  }
  outcome.picks = resolvePicks(node, picked, graphName);
  return output;
}

/** The node's attempts (retries, per-attempt timeout, span, events). */
function attempts(
  node: NodeSpec,
  input: unknown,
  ctx: ExecutionContext,
  env: NodeEnv,
  outcome: NodeOutcome,
): Promise<unknown> {
  return node.policy === undefined
    ? attempt(node, input, 1, ctx, env)
    : withRetries(node, input, ctx, env, outcome);
}

/**
 * Runs one node: its hooks around its attempts (retries, per-attempt timeout, span, events),
 * then its router on the (hooked) output.
 */
export function runNode(
  node: NodeSpec,
  input: unknown,
  ctx: ExecutionContext,
  env: NodeEnv,
  outcome: NodeOutcome,
): Promise<unknown> {
  const hooks = node.config.hooks;
  let done =
    hooks === undefined
      ? attempts(node, input, ctx, env, outcome)
      : runWithHooks(hooks, node.name, input, ctx, (value) =>
          attempts(node, value, ctx, env, outcome),
        );
  if (env.stats !== undefined) done = recordRun(env.stats, 'node', node.name, done, env.graphName);
  if (node.router === undefined) return done;
  return done.then((output) => route(node, output, outcome, env.graphName));
}
