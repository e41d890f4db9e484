import { OrchestrationError } from '@baton/core';
import { type ExecutionContext } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import type { GraphErrorReason } from './graph-errors.js';

/**
 * How deep graph runs may nest inside graph nodes. Past it a run fails at once with
 * `resource_exhausted`: a graph that runs itself without a router ending the recursion would
 * otherwise recurse until memory runs out.
 */
const MAX_NESTING = 100;

/** Where a run sits among the graph runs enclosing it. One object per run. */
export interface RunScope {
  /** The graph object the run belongs to (compared by identity). */
  readonly graph: object;
  readonly parent: RunScope | undefined;
  /** 1 for a run started by a caller, one more per enclosing graph run. */
  readonly depth: number;
  /** Runs of the same graph enclosing this one: which of the graph's worker pools it uses. */
  readonly level: number;
  /** Id of the run's checkpoint records. */
  readonly checkpointId: string;
  /**
   * The run is a resume or inside one (or inside a retried node), so its nested runs look for
   * their own stored records, also when it found none itself (see `DagGraph#launch`).
   */
  readonly resuming: boolean;
}

/** One execution of a node, as far as the graph runs it starts are concerned. */
interface NodeExecution {
  /** The node's current attempt, 1 for the first. */
  readonly attempts: number;
  /** Graph runs the current attempt started (reset when an attempt starts). */
  nestedRuns: number;
}

/**
 * The context a graph run gives its nodes. The extra fields survive core's composites
 * (they copy contexts with a spread), so a graph nested in a node, directly or inside a
 * sequence, retry, parallel, ..., finds the run and node it runs in.
 */
export interface NodeContext extends ExecutionContext {
  readonly graphScope: RunScope;
  readonly graphNode: string;
  readonly graphTask: NodeExecution;
}

/** The graph run (and node, when known) a new run is nested in. */
export interface Enclosing {
  readonly scope: RunScope;
  readonly node: string | undefined;
  readonly task: NodeExecution | undefined;
}

/**
 * Node signals (lanes, per-attempt deadlines) by the run they belong to: a node function that
 * calls `graph.invoke(x, { signal: ctx.signal })` starts a run with a fresh context, and the
 * signal it passes is what still ties that run to the run it is nested in.
 */
const runsBySignal = new WeakMap<AbortSignal, RunScope>();

/** Marks `signal` as a node signal of the run `scope`. */
export function linkSignal(signal: AbortSignal, scope: RunScope): void {
  runsBySignal.set(signal, scope);
}

/**
 * The scope a run ties its node signals to, or `undefined` when it need not: tagging costs about
 * half a microsecond per signal, which a wide fan-out with unbounded workers would pay for
 * thousands of lanes. A top-level run with unbounded workers needs no tags: nothing encloses it,
 * and a run started from one of its nodes never waits for its workers.
 */
export function signalScope(scope: RunScope, capacity: number): RunScope | undefined {
  return capacity === Infinity && scope.parent === undefined ? undefined : scope;
}

/** The graph run a node's context (or a composite's copy of it) comes from. */
export function enclosingRun(ctx: ExecutionContext): Enclosing | undefined {
  const scope = (ctx as Partial<NodeContext>).graphScope;
  if (scope === undefined) return undefined;
  return { scope, node: (ctx as NodeContext).graphNode, task: (ctx as NodeContext).graphTask };
}

/** The run a call passing a node's signal is nested in (the node is not known). */
export function linkedRun(
  options: { readonly signal?: AbortSignal } | undefined,
): Enclosing | undefined {
  let signal: unknown;
  try {
    signal = options?.signal;
  } catch {
    return undefined; // unreadable options: the run itself reports them
  }
  const scope =
    typeof signal === 'object' && signal !== null
      ? runsBySignal.get(signal as AbortSignal)
      : undefined;
  return scope === undefined ? undefined : { scope, node: undefined, task: undefined };
}

/** The scope of a run started by a caller. */
export function topScope(graph: object, runId: string, resuming: boolean): RunScope {
  return {
    graph,
    parent: undefined,
    depth: 1,
    level: 0,
    checkpointId: runId,
    resuming,
  };
}

/**
 * The scope of a run nested in `outer`, or an error past {@link MAX_NESTING}. Its level counts
 * the enclosing runs of the same graph, so a graph that runs itself waits for workers of another
 * pool than the ones its enclosing nodes hold (no deadlock).
 *
 * Inside a known node its checkpoint id is `<parent id>/<node>`, and `#2`, `#3`, ... for the
 * further runs the same attempt of the node starts (at once or one after another), so the ids
 * are the same in every attempt and on resume. Such a run continues its stored records when the
 * parent was resumed or the node is retried: then they are this run's own. From a node function
 * (no node known) it keeps its own run id, and continues records only when it is a `resume`
 * (`restored`).
 */
export function nestedScope(
  graph: object,
  graphName: string,
  outer: Enclosing,
  runId: string,
  restored: boolean,
): Result<RunScope, OrchestrationError> {
  const parent = outer.scope;
  const depth = parent.depth + 1;
  if (depth > MAX_NESTING) {
    const reason: GraphErrorReason = 'nesting-too-deep';
    const message = `${graphName}: this run would be nested ${depth} graph runs deep (the limit is ${MAX_NESTING}); a graph that runs itself, directly or through other graphs, needs a router that ends the recursion`;
    // Retrying cannot help: the same nesting fails the same way.
    return err(
      new OrchestrationError('resource_exhausted', message, {
        op: graphName,
        retryable: false,
        details: { reason, depth, limit: MAX_NESTING },
      }),
    );
  }
  let level = 0;
  for (let s: RunScope | undefined = parent; s !== undefined; s = s.parent) {
    if (s.graph === graph) {
      level = s.level + 1;
      break;
    }
  }
  const { node, task } = outer;
  let checkpointId = runId;
  let resuming = restored;
  if (node !== undefined && task !== undefined) {
    const k = ++task.nestedRuns;
    const base = `${parent.checkpointId}/${node}`;
    checkpointId = k === 1 ? base : `${base}#${k}`;
    resuming = parent.resuming || task.attempts > 1;
  }
  return ok({ graph, parent, depth, level, checkpointId, resuming });
}
