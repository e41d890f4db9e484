/** Helpers shared by the graph tests. */
import {
  runnable,
  type CheckpointStore,
  type Graph,
  type NodeCheckpoint,
  type Option,
  type RunCheckpoint,
  type RunEvent,
  type Runnable,
  type StoredRun,
  type NodeConfig,
  OrchestrationError,
} from '@baton/core';
import { healthReport } from '@baton/core/authoring';
import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import type { Observable } from 'rxjs';
import { createGraph, type GraphOption } from '../src/index.js';
import fc from 'fast-check';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The run's result; a run still going after `ms` (a deadlock) fails the test at once instead. */
export async function within<T>(run: PromiseLike<T>, ms = 5_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the run did not settle in ${ms} ms: deadlock`)), ms);
  });
  try {
    return await Promise.race([run, hung]);
  } finally {
    clearTimeout(timer);
  }
}

export type NodeDef =
  | Runnable<never>
  | ((input: never) => unknown)
  | [Runnable<never> | ((input: never) => unknown), ...Option<NodeConfig>[]];

/** Builds a graph from nodes and `[from, to, required?]` edges; throws on any structure error. */
export function graphOf<I = unknown, O = unknown>(
  nodes: Record<string, NodeDef>,
  edges: readonly (readonly [string, string] | readonly [string, string, boolean])[],
  ...options: GraphOption[]
): Graph<I, O> {
  const graph = createGraph<I, O>(...options)._unsafeUnwrap();
  for (const [name, def] of Object.entries(nodes)) {
    const [target, ...nodeOptions] = Array.isArray(def) ? def : [def];
    const r =
      typeof target === 'function' ? runnable(name, target as (input: unknown) => unknown) : target;
    graph.addNode(name, r, ...nodeOptions)._unsafeUnwrap();
  }
  for (const [from, to, required] of edges) {
    graph.addEdge(from, to, required === undefined ? undefined : { required })._unsafeUnwrap();
  }
  return graph;
}

export interface Collected<O> {
  events: RunEvent<O>[];
  error: unknown;
}

/** Subscribes and collects every event until the stream completes or errors. */
export function collect<O>(events$: Observable<RunEvent<O>>): Promise<Collected<O>> {
  return new Promise((resolve) => {
    const events: RunEvent<O>[] = [];
    events$.subscribe({
      next: (e) => events.push(e),
      error: (error: unknown) => resolve({ events, error }),
      complete: () => resolve({ events, error: undefined }),
    });
  });
}

/** `type:step` of each event, for compact assertions. */
export const summary = (events: readonly RunEvent[]): string[] =>
  events.map((e) => ('step' in e ? `${e.type}:${e.step}` : e.type));

/** An in-memory CheckpointStore that logs every write, for asserting write order. */
export class RecordingStore implements CheckpointStore {
  readonly runs = new Map<string, RunCheckpoint>();
  readonly nodes = new Map<string, Map<string, NodeCheckpoint>>();
  readonly log: string[] = [];
  failNodeWrites = false;

  saveRun(run: RunCheckpoint): ResultAsync<void, OrchestrationError> {
    this.log.push(`run:${run.status}`);
    this.runs.set(run.runId, structuredClone(run));
    return okAsync(undefined);
  }

  saveNode(record: NodeCheckpoint): ResultAsync<void, OrchestrationError> {
    if (this.failNodeWrites)
      return errAsync(new OrchestrationError('execution_failed', 'disk full'));
    this.log.push(`node:${record.node}:${record.status}`);
    const nodes = this.nodes.get(record.runId) ?? new Map<string, NodeCheckpoint>();
    nodes.set(record.node, structuredClone(record));
    this.nodes.set(record.runId, nodes);
    return okAsync(undefined);
  }

  loadRun(runId: string): ResultAsync<StoredRun, OrchestrationError> {
    const run = this.runs.get(runId);
    if (run === undefined) return errAsync(new OrchestrationError('not_found', `no run ${runId}`));
    const stored: StoredRun = { run, nodes: [...(this.nodes.get(runId)?.values() ?? [])] };
    return okAsync(structuredClone(stored));
  }

  listRuns() {
    return okAsync({ runs: [...this.runs.values()] });
  }

  deleteRun(runId: string): ResultAsync<void, OrchestrationError> {
    this.runs.delete(runId);
    this.nodes.delete(runId);
    return okAsync(undefined);
  }

  check() {
    return Promise.resolve(healthReport('recording-store', 'healthy'));
  }
}

/** How a random edge depends on its parent. */
export type EdgeKind = 'required' | 'optional' | 'conditional';

/**
 * Random edges of an `n`-node DAG for property tests: each edge goes from the lower index to the
 * higher, no self edges, each pair at most once; required edges are drawn twice as often.
 */
export function dagEdges(n: number): fc.Arbitrary<{ from: number; to: number; kind: EdgeKind }[]> {
  return fc
    .array(
      fc.tuple(
        fc.nat(n - 1),
        fc.nat(n - 1),
        fc.constantFrom<EdgeKind>('required', 'required', 'optional', 'conditional'),
      ),
      { maxLength: n * 2 },
    )
    .map((raw) => {
      const seen = new Set<string>();
      return raw.flatMap(([a, b, kind]) => {
        const key = `${Math.min(a, b)}>${Math.max(a, b)}`;
        if (a === b || seen.has(key)) return [];
        seen.add(key);
        return [{ from: Math.min(a, b), to: Math.max(a, b), kind }];
      });
    });
}
