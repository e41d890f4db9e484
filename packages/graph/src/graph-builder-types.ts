/** The type-level bookkeeping of `GraphBuilder`: node names, edges, inferred input and output. */
import type { AnyRunnable, InputOf, OutputOf } from '@baton/core';

/** What a builder knows about its graph, in types only. */
export interface BuilderState {
  /** Node name -> its runnable. */
  readonly nodes: Record<string, AnyRunnable>;
  /** Nodes that have a parent (an edge or a route into them). */
  readonly parented: string;
  /** Nodes that have a child. */
  readonly parents: string;
  /** Declared entry points (`never`: the nodes without parents). */
  readonly entry: string;
  /** Declared finish points (`never`: the nodes without children). */
  readonly finish: string;
  /** Whether any route was declared (finish points may then be skipped). */
  readonly routed: boolean;
}

/** The state of a builder with no nodes. */
export interface EmptyBuilderState extends BuilderState {
  readonly nodes: {}; // eslint-disable-line @typescript-eslint/no-empty-object-type
  readonly parented: never;
  readonly parents: never;
  readonly entry: never;
  readonly finish: never;
  readonly routed: false;
}

/** The node names of a builder. */
export type NodeName<S extends BuilderState> = keyof S['nodes'] & string;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;
type IsUnion<T> = [T] extends [UnionToIntersection<T>] ? false : true;

/** Stands in for a runnable whose `name` is a plain `string`, so `.node(r)` fails to compile. */
export interface NodeNameNeeded {
  readonly 'graph builder: this runnable has no literal name; use .node("name", runnable)': true;
}

/** Stands in for a node name already taken. */
export interface DuplicateNodeName<K extends string> {
  readonly 'graph builder: a node with this name already exists': K;
}

/** Stands in for an edge whose source output does not fit the target's input. */
export interface EdgeTypeMismatch<From extends string, To extends string, Output, Input> {
  readonly 'graph builder: the output of the source does not fit the input of the target': [
    From,
    To,
  ];
  readonly output: Output;
  readonly input: Input;
}

export type CheckNewNode<S extends BuilderState, K extends string> = string extends K
  ? NodeNameNeeded
  : K extends NodeName<S>
    ? DuplicateNodeName<K>
    : unknown;

export type WithNode<S extends BuilderState, K extends string, R extends AnyRunnable> = Omit<
  S,
  'nodes'
> & { readonly nodes: S['nodes'] & { readonly [P in K]: R } };

/**
 * Whether `from`'s output can feed `to`: as its whole input (one parent), or as the `from` key
 * of the record a node with several parents receives. A node that already has a parent only
 * gets the record form.
 */
type EdgeFits<O, I, From extends string, Multi extends boolean> = [I] extends [never]
  ? true
  : Multi extends false
    ? [O] extends [I]
      ? true
      : RecordFits<O, I, From>
    : RecordFits<O, I, From>;

type RecordFits<O, I, From extends string> = [I] extends [object]
  ? From extends keyof I
    ? [O] extends [I[From]]
      ? true
      : false
    : string extends keyof I
      ? [O] extends [I[string & keyof I]]
        ? true
        : false
      : false
  : false;

export type CheckEdge<S extends BuilderState, A extends NodeName<S>, B extends NodeName<S>> =
  EdgeFits<
    OutputOf<S['nodes'][A]>,
    InputOf<S['nodes'][B]>,
    A,
    B extends S['parented'] ? true : false
  > extends true
    ? unknown
    : EdgeTypeMismatch<A, B, OutputOf<S['nodes'][A]>, InputOf<S['nodes'][B]>>;

export type WithEdge<S extends BuilderState, A extends string, B extends string> = Omit<
  S,
  'parented' | 'parents'
> & { readonly parented: S['parented'] | B; readonly parents: S['parents'] | A };

export type WithRoute<S extends BuilderState, A extends string, T extends string> = Omit<
  WithEdge<S, A, T>,
  'routed'
> & { readonly routed: true };

export type WithPoints<
  S extends BuilderState,
  Key extends 'entry' | 'finish',
  K extends string,
> = Omit<S, Key> & { readonly [P in Key]: K };

type EntryNames<S extends BuilderState> = [S['entry']] extends [never]
  ? Exclude<NodeName<S>, S['parented']>
  : S['entry'];
type FinishNames<S extends BuilderState> = [S['finish']] extends [never]
  ? Exclude<NodeName<S>, S['parents']>
  : S['finish'];

/** What every entry node accepts (the graph input goes to all of them). */
export type BuiltInput<S extends BuilderState> = [EntryNames<S>] extends [never]
  ? unknown
  : UnionToIntersection<
        { [K in EntryNames<S>]: { input: InputOf<S['nodes'][K]> } }[EntryNames<S>]
      > extends {
        input: infer I;
      }
    ? I
    : never;

/**
 * One finish point: its output. Several: a record by name (keys optional when a route may skip
 * them). None: `unknown`.
 */
export type BuiltOutput<S extends BuilderState> = [FinishNames<S>] extends [never]
  ? unknown
  : IsUnion<FinishNames<S>> extends false
    ? OutputOf<S['nodes'][FinishNames<S>]>
    : S['routed'] extends true
      ? { [K in FinishNames<S>]?: OutputOf<S['nodes'][K]> }
      : { [K in FinishNames<S>]: OutputOf<S['nodes'][K]> };
