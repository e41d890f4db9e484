import type {
  AnyRunnable,
  EdgeOptions,
  Graph,
  OrchestrationError,
  OutputOf,
  Router,
} from '@baton/core';
import { err, type Result } from 'neverthrow';
import { createGraph } from './create-graph.js';
import type { GraphOption } from './graph-options.js';
import type {
  BuilderState,
  BuiltInput,
  BuiltOutput,
  CheckEdge,
  CheckNewNode,
  EmptyBuilderState,
  NodeName,
  WithEdge,
  WithNode,
  WithPoints,
  WithRoute,
} from './graph-builder-types.js';
import type { NodeOption } from './node-options.js';

/**
 * Builds a graph in one expression. Node names accumulate in the builder's type, so an edge
 * naming an unknown node, or one whose source output does not fit its target's input, is a
 * compile error. Each call returns a new builder (a builder can be shared and extended). Nothing
 * is checked at run time until `build`, which reports every mistake at once.
 */
export interface GraphBuilder<S extends BuilderState = EmptyBuilderState> {
  /** Adds a node named after its runnable (`runnable('fetch', fn)` makes node `fetch`). */
  node<R extends AnyRunnable>(
    runnable: R & CheckNewNode<S, R['name']>,
    ...options: NodeOption[]
  ): GraphBuilder<WithNode<S, R['name'], R>>;
  /** Adds a node under a name of its own. */
  node<const K extends string, R extends AnyRunnable>(
    name: K & CheckNewNode<S, K>,
    runnable: R,
    ...options: NodeOption[]
  ): GraphBuilder<WithNode<S, K, R>>;
  /** `to` depends on `from` (see `Graph.addEdge`); `{ required: false }` for an optional edge. */
  edge<A extends NodeName<S>, B extends NodeName<S>>(
    from: A,
    to: B & CheckEdge<S, A, B>,
    options?: EdgeOptions,
  ): GraphBuilder<WithEdge<S, A, B>>;
  /**
   * After `from` succeeds, `router` picks which of `targets` run; the others are skipped. Name
   * the router (a named function or `namedRouter`) if the graph is to become a `GraphSpec`.
   */
  route<A extends NodeName<S>, const T extends NodeName<S>>(
    from: A,
    router: Router<OutputOf<S['nodes'][A]>>,
    targets: readonly T[],
  ): GraphBuilder<WithRoute<S, A, T>>;
  /** Nodes that receive the graph input. @default the nodes without parents */
  entry<const K extends NodeName<S>>(...names: K[]): GraphBuilder<WithPoints<S, 'entry', K>>;
  /** Nodes whose outputs make the result. @default the nodes without children */
  finish<const K extends NodeName<S>>(...names: K[]): GraphBuilder<WithPoints<S, 'finish', K>>;
  /**
   * Creates the graph with `options` and declares everything. Its input type is what the entry
   * nodes accept, its output the finish node's output (several: a record by name).
   * Fails with every structure error at once (`details.errors`), and with what `validate` finds.
   */
  build(
    ...options: GraphOption[]
  ): Result<Graph<BuiltInput<S>, BuiltOutput<S>>, OrchestrationError>;
}

/** One declaration, applied to the graph by `build`. */
type Step = (graph: Graph) => unknown;

/** Steps as a linked list from the last one: extending a builder copies nothing. */
interface StepList {
  readonly step: Step;
  readonly previous: StepList | undefined;
}

/** Creates the graph `build` declares everything on (`createGraph` unless told otherwise). */
export type GraphFactory = (...options: GraphOption[]) => Result<Graph, OrchestrationError>;

class Builder {
  constructor(
    readonly steps: StepList | undefined,
    readonly create: GraphFactory,
  ) {}

  #then(step: Step): Builder {
    return new Builder({ step, previous: this.steps }, this.create);
  }

  node(...args: unknown[]): Builder {
    const [first, ...rest] = args;
    if (typeof first === 'string') {
      const [target, ...options] = rest;
      return this.#then((g) =>
        g.addNode(first, target as AnyRunnable, ...(options as NodeOption[])),
      );
    }
    return this.#then((g) => {
      let name: unknown;
      try {
        name = (first as { name?: unknown } | null)?.name;
      } catch {
        name = undefined; // a Proxy whose reads throw: addNode names the bad runnable
      }
      return g.addNode(name as string, first as AnyRunnable, ...(rest as NodeOption[]));
    });
  }

  edge(from: string, to: string, options?: EdgeOptions): Builder {
    return this.#then((g) => g.addEdge(from, to, options));
  }

  route(from: string, router: Router, targets: readonly string[]): Builder {
    return this.#then((g) => g.addConditionalEdges(from, router, targets));
  }

  entry(...names: string[]): Builder {
    return this.#then((g) => g.setEntryPoint(names));
  }

  finish(...names: string[]): Builder {
    return this.#then((g) => g.setFinishPoint(names));
  }

  build(...options: GraphOption[]): Result<Graph, OrchestrationError> {
    const created = this.create(...options);
    if (created.isErr()) return err(created.error);
    const graph = created.value;
    const steps: Step[] = [];
    for (let s = this.steps; s !== undefined; s = s.previous) steps.push(s.step);
    // The graph remembers every failed declaration; validate reports them all at once.
    for (let i = steps.length - 1; i >= 0; i--) (steps[i] as Step)(graph);
    return graph.validate().map(() => graph);
  }
}

/**
 * Starts a graph, the documented way to build one: one expression, node names checked at
 * compile time, every mistake reported by `build`.
 *
 * @example
 * const fetchPage = runnable('fetch', async (url: string) => download(url));
 * const summary = runnable('summary', (page: string) => summarize(page));
 * const graph = createGraphBuilder()
 *   .node(fetchPage, withNodeRetries(2))
 *   .node(summary)
 *   .edge('fetch', 'summary')
 *   .build(withGraphName('pages')); // Result<Graph<string, string>, OrchestrationError>
 *
 * `create` makes the graph that `build` fills in: an Orchestrator passes its own, which uses its
 * graph providers and counts the graph's runs.
 */
export function createGraphBuilder(create: GraphFactory = createGraph): GraphBuilder {
  return new Builder(undefined, create) as unknown as GraphBuilder;
}
