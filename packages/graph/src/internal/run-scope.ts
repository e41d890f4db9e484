import { OrchestrationError, type CheckpointStore, type EnclosingRun } from '@baton/core';
import type { ExecutionContext } from '@baton/core/authoring';
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
  /** Answers to interrupts of this run's nodes, by key relative to the run (`ask`, `sub/ask`). */
  readonly answers: Readonly<Record<string, unknown>>;
  /** What this run's interrupt keys are prefixed with in the top-level run (`''`, `sub/`). */
  readonly keyPrefix: string;
  /** Where an interrupted nested run reports its interrupts: its enclosing node execution. */
  readonly ask: ((key: string, payload: unknown) => void) | undefined;
  /** The run's checkpoint store (map and loop nodes keep their records in it). */
  readonly store: CheckpointStore | undefined;
}

/** One execution of a node, as far as the graph runs it starts are concerned. */
export interface NodeExecution {
  /** The node's current attempt, 1 for the first. */
  readonly attempts: number;
  /** Graph runs the current attempt started (reset when an attempt starts). */
  nestedRuns: number;
  /** Records an interrupt raised in this execution (by the node or a run nested in it). */
  ask(key: string, payload: unknown): void;
}

const NODE_RUN = 'baton.graph.node';

/**
 * The `enclosing` token a graph run puts in the context of each node execution (see core's
 * `EnclosingRun`). Composites copy it with the context, so a graph nested in a node, directly or
 * inside a sequence, retry, parallel, ..., finds the run and node it runs in; a run started from
 * the node with `{ parent: ctx }` gets a copy marked `called`.
 */
export interface NodeRun extends EnclosingRun {
  readonly kind: typeof NODE_RUN;
  readonly scope: RunScope;
  readonly node: string;
  readonly task: NodeExecution;
}

/** The token of one execution of node `node` of the run `scope`. */
export function nodeRun(scope: RunScope, node: string, task: NodeExecution): NodeRun {
  return { called: false, kind: NODE_RUN, scope, node, task };
}

/** The graph run (and node, when the run is one of its steps) a new run is nested in. */
export interface Enclosing {
  readonly scope: RunScope;
  /** `undefined` for a run started by a call from the node (`RunOptions.parent`). */
  readonly node: string | undefined;
  readonly task: NodeExecution | undefined;
}

/** The enclosing run of a run started from a step with `{ parent: ctx }` (as core marks it). */
export function calledFrom(enclosing: EnclosingRun | undefined): EnclosingRun | undefined {
  if (enclosing === undefined || enclosing.called) return enclosing;
  return { ...enclosing, called: true };
}

/** The graph run `ctx` comes from: set for a node's steps and runs started with `parent`. */
export function enclosingRun(ctx: ExecutionContext): Enclosing | undefined {
  const token = ctx.enclosing as Partial<NodeRun> | undefined;
  if (token?.kind !== NODE_RUN) return undefined;
  const run = token as NodeRun;
  if (run.called) return { scope: run.scope, node: undefined, task: undefined };
  return run;
}

const NO_ANSWERS: Readonly<Record<string, unknown>> = Object.freeze({});

/** The scope of a run started by a caller. */
export function topScope(
  graph: object,
  runId: string,
  resuming: boolean,
  store: CheckpointStore | undefined,
  answers: Readonly<Record<string, unknown>> = NO_ANSWERS,
): RunScope {
  return {
    graph,
    parent: undefined,
    depth: 1,
    level: 0,
    checkpointId: runId,
    resuming,
    answers,
    keyPrefix: '',
    ask: undefined,
    store,
  };
}

/** The answers under `prefix/` of `answers`, with the prefix taken off. */
function answersUnder(
  answers: Readonly<Record<string, unknown>>,
  prefix: string,
): Readonly<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  const start = `${prefix}/`;
  for (const key of Object.keys(answers)) {
    if (key.startsWith(start)) (found ??= {})[key.slice(start.length)] = answers[key];
  }
  return found ?? NO_ANSWERS;
}

/**
 * The scope of a run nested in `outer`, or an error past {@link MAX_NESTING}. Its level counts
 * the enclosing runs of the same graph, so a graph that runs itself waits for workers of another
 * pool than the ones its enclosing nodes hold (no deadlock).
 *
 * Inside a known node its checkpoint id is `<parent id>/<node>`, and `#2`, `#3`, ... for the
 * further runs the same attempt of the node starts (at once or one after another), so the ids
 * are the same in every attempt and on resume. Such a run continues its stored records when the
 * parent was resumed or the node is retried: then they are this run's own. A run started by a
 * call from a node (`{ parent: ctx }`, no node known) keeps its own run id, and continues
 * records only when it is a `resume` (`restored`).
 */
export function nestedScope(
  graph: object,
  graphName: string,
  outer: Enclosing,
  runId: string,
  restored: boolean,
  store: CheckpointStore | undefined,
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
  let answers = NO_ANSWERS;
  let ask: RunScope['ask'];
  let keyPrefix = '';
  if (node !== undefined && task !== undefined) {
    const k = ++task.nestedRuns;
    const base = `${parent.checkpointId}/${node}`;
    checkpointId = k === 1 ? base : `${base}#${k}`;
    resuming = parent.resuming || task.attempts > 1;
    // Interrupt keys follow checkpoint ids: `<node>/<key>`, `<node>#2/<key>`, ...
    const prefix = k === 1 ? node : `${node}#${k}`;
    answers = answersUnder(parent.answers, prefix);
    ask = (key, payload) => task.ask(`${prefix}/${key}`, payload);
    keyPrefix = `${parent.keyPrefix}${prefix}/`;
  }
  return ok({
    graph,
    parent,
    depth,
    level,
    checkpointId,
    resuming,
    answers,
    keyPrefix,
    ask,
    store,
  });
}
