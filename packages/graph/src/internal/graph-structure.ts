import { showValue } from '@baton/core/authoring';
import type { EdgeOptions, GraphConfig, OrchestrationError, Router } from '@baton/core';
import { err, ok, type Result } from 'neverthrow';
import type { NodeOption } from '../node-options.js';
import { graphError, listNames, type GraphErrorReason } from './graph-errors.js';
import { checkNodeName, createNodeSpec, type NodeSpec } from './node-spec.js';

const REQUIRED = 0;
export const OPTIONAL = 1;
export const CONDITIONAL = 2;
/** How a child depends on its parent. */
export type EdgeKind = typeof REQUIRED | typeof OPTIONAL | typeof CONDITIONAL;

export interface EdgeSpec {
  readonly from: number;
  readonly to: number;
  readonly kind: EdgeKind;
}

/** Edge keys pack (from, to) into one number; node indices stay below 2^26. */
const EDGE_KEY_STRIDE = 0x4000000;

/** The mutable structure of a graph; every change is validated as it is made. */
export class GraphStructure {
  readonly nodes: NodeSpec[] = [];
  readonly index = new Map<string, number>();
  readonly edges: EdgeSpec[] = [];
  readonly #edgeKeys = new Set<number>();
  entry: readonly number[] | undefined;
  finish: readonly number[] | undefined;
  /** Bumped on every change (and every failed call), so a compiled form can be cached. */
  version = 0;
  frozen = false;
  /** Every failed structure call, in order: a graph with any of them never runs (see `stuck`). */
  readonly errors: OrchestrationError[] = [];

  constructor(readonly config: Readonly<GraphConfig>) {}

  /** Remembers a failed call, so a dropped `Err` cannot leave a graph that runs mis-wired. */
  #remember(result: Result<void, OrchestrationError>): Result<void, OrchestrationError> {
    if (result.isErr()) {
      this.errors.push(result.error);
      this.version++;
    }
    return result;
  }

  #op(method: string): string {
    return `${this.config.name}.${method}`;
  }

  #checkOpen(op: string): Result<void, OrchestrationError> {
    if (!this.frozen) return ok(undefined);
    return err(
      graphError(
        'invalid_state',
        'frozen',
        op,
        'the graph has run and its structure is frozen; build a new graph to change it',
      ),
    );
  }

  #lookup(name: unknown, op: string, role: string): Result<number, OrchestrationError> {
    const i = typeof name === 'string' ? this.index.get(name) : undefined;
    if (i !== undefined) return ok(i);
    const known = [...this.index.keys()];
    return err(
      graphError(
        'not_found',
        'unknown-node',
        op,
        `unknown ${role} node ${typeof name === 'string' ? `"${name}"` : showValue(name)}; add it with addNode first (nodes: ${known.length ? listNames(known) : 'none'})`,
        { node: name },
      ),
    );
  }

  #addNode(
    name: unknown,
    runnable: unknown,
    options: readonly NodeOption[],
  ): Result<void, OrchestrationError> {
    const op = this.#op('addNode');
    const open = this.#checkOpen(op);
    if (open.isErr()) return open;
    const checked = checkNodeName(name, this.index, op);
    if (checked.isErr()) return err(checked.error);
    const spec = createNodeSpec(checked.value, runnable, options, this.config, op);
    if (spec.isErr()) return err(spec.error);
    this.index.set(checked.value, this.nodes.length);
    this.nodes.push(spec.value);
    this.version++;
    return ok(undefined);
  }

  /** An edge `from -> to` would be valid: not a self edge, not declared yet. */
  #checkEdge(from: number, to: number, op: string): Result<void, OrchestrationError> {
    const a = (this.nodes[from] as NodeSpec).name;
    const b = (this.nodes[to] as NodeSpec).name;
    if (from === to) {
      const message = `an edge from "${a}" to itself would be a cycle; a node cannot depend on itself`;
      return err(graphError('invalid_config', 'self-edge', op, message, { node: a }));
    }
    if (this.#edgeKeys.has(from * EDGE_KEY_STRIDE + to)) {
      const message = `"${a}" -> "${b}" is already declared; declare each edge once`;
      return err(graphError('invalid_config', 'duplicate-edge', op, message, { from: a, to: b }));
    }
    return ok(undefined);
  }

  /** Adds an edge already checked with `#checkEdge`. */
  #link(from: number, to: number, kind: EdgeKind): void {
    this.#edgeKeys.add(from * EDGE_KEY_STRIDE + to);
    this.edges.push({ from, to, kind });
  }

  #addEdge(
    from: unknown,
    to: unknown,
    options: EdgeOptions | undefined,
  ): Result<void, OrchestrationError> {
    const op = this.#op('addEdge');
    const open = this.#checkOpen(op);
    if (open.isErr()) return open;
    const required = edgeRequired(options);
    if (required === undefined) {
      return err(
        graphError(
          'invalid_config',
          'invalid-edge-options',
          op,
          `edge options must be { required?: boolean }, got ${showValue(options)}`,
        ),
      );
    }
    return this.#lookup(from, op, 'source')
      .andThen((a) => this.#lookup(to, op, 'target').map((b) => [a, b] as const))
      .andThen(([a, b]) =>
        this.#checkEdge(a, b, op).map(() => {
          this.#link(a, b, required ? REQUIRED : OPTIONAL);
          this.version++;
        }),
      );
  }

  /** Checks a router and its targets; every target must be a node not yet linked from `spec`. */
  #routeTargets(
    from: number,
    router: unknown,
    targets: unknown,
    op: string,
  ): Result<Map<string, number>, OrchestrationError> {
    const spec = this.nodes[from] as NodeSpec;
    const fail = (reason: GraphErrorReason, message: string) =>
      err(graphError('invalid_config', reason, op, message, { node: spec.name }));
    if (typeof router !== 'function') {
      return fail(
        'invalid-router',
        `the router of "${spec.name}" must be a function (output) => target name(s)`,
      );
    }
    if (spec.router !== undefined) {
      return fail(
        'duplicate-router',
        `"${spec.name}" already has a router; give one router all its targets`,
      );
    }
    const list = readList(targets);
    if (list === undefined || list.length === 0) {
      return fail(
        'invalid-targets',
        `the router of "${spec.name}" needs a non-empty array of target node names`,
      );
    }
    const routeIndex = new Map<string, number>();
    for (const target of list) {
      const t = this.#lookup(target, op, 'router target');
      if (t.isErr()) return err(t.error);
      if (routeIndex.has(target as string)) {
        return fail(
          'invalid-targets',
          `target "${target as string}" is listed twice for the router of "${spec.name}"`,
        );
      }
      const free = this.#checkEdge(from, t.value, op);
      if (free.isErr()) return err(free.error);
      routeIndex.set(target as string, t.value);
    }
    return ok(routeIndex);
  }

  #addConditionalEdges(
    from: unknown,
    router: unknown,
    targets: unknown,
  ): Result<void, OrchestrationError> {
    const op = this.#op('addConditionalEdges');
    const open = this.#checkOpen(op);
    if (open.isErr()) return open;
    const source = this.#lookup(from, op, 'source');
    if (source.isErr()) return err(source.error);
    const routeIndex = this.#routeTargets(source.value, router, targets, op);
    if (routeIndex.isErr()) return err(routeIndex.error);
    for (const t of routeIndex.value.values()) this.#link(source.value, t, CONDITIONAL);
    const spec = this.nodes[source.value] as NodeSpec;
    spec.router = router as Router;
    spec.routeIndex = routeIndex.value;
    this.version++;
    return ok(undefined);
  }

  #points(names: unknown, op: string): Result<number[], OrchestrationError> {
    const list = typeof names === 'string' ? [names] : (readList(names) ?? []);
    if (list.length === 0) {
      return err(
        graphError(
          'invalid_config',
          'invalid-targets',
          op,
          'expects a node name or a non-empty array of node names',
        ),
      );
    }
    const out = new Set<number>();
    for (const name of list) {
      const i = this.#lookup(name, op, 'point');
      if (i.isErr()) return err(i.error);
      out.add(i.value);
    }
    return ok([...out]);
  }

  #setEntryPoint(names: unknown): Result<void, OrchestrationError> {
    const op = this.#op('setEntryPoint');
    return this.#checkOpen(op)
      .andThen(() => this.#points(names, op))
      .map((points) => {
        this.entry = points;
        this.version++;
      });
  }

  #setFinishPoint(names: unknown): Result<void, OrchestrationError> {
    const op = this.#op('setFinishPoint');
    return this.#checkOpen(op)
      .andThen(() => this.#points(names, op))
      .map((points) => {
        this.finish = points;
        this.version++;
      });
  }

  addNode(
    name: unknown,
    runnable: unknown,
    options: readonly NodeOption[],
  ): Result<void, OrchestrationError> {
    return this.#remember(this.#addNode(name, runnable, options));
  }

  addEdge(
    from: unknown,
    to: unknown,
    options: EdgeOptions | undefined,
  ): Result<void, OrchestrationError> {
    return this.#remember(this.#addEdge(from, to, options));
  }

  addConditionalEdges(
    from: unknown,
    router: unknown,
    targets: unknown,
  ): Result<void, OrchestrationError> {
    return this.#remember(this.#addConditionalEdges(from, router, targets));
  }

  setEntryPoint(names: unknown): Result<void, OrchestrationError> {
    return this.#remember(this.#setEntryPoint(names));
  }

  setFinishPoint(names: unknown): Result<void, OrchestrationError> {
    return this.#remember(this.#setFinishPoint(names));
  }
}

/** A copy of an array argument, read once; `undefined` for anything else or an unreadable one. */
export function readList(value: unknown): unknown[] | undefined {
  try {
    return Array.isArray(value) ? Array.from(value as unknown[]) : undefined;
  } catch {
    return undefined; // an array Proxy whose reads throw
  }
}

/** `options.required` (default true), or `undefined` when the options are not `{ required? }`. */
function edgeRequired(options: unknown): boolean | undefined {
  if (options === undefined) return true;
  if (typeof options !== 'object' || options === null) return undefined;
  try {
    const required = (options as EdgeOptions).required ?? true;
    return typeof required === 'boolean' ? required : undefined;
  } catch {
    return undefined;
  }
}
