import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  OrchestrationError,
  runnable,
  type Graph,
  type GraphSpec,
  type Runnable,
} from '@baton/core';
import { showError } from '@baton/core/authoring';
import { createGraph, graphFromSpec, withGraphName, type GraphOption } from '@baton/graph';
import { err, ok, type Result } from 'neverthrow';
import { LineCounter, parseDocument } from 'yaml';
import type { ActionDefinition } from '../contracts.js';

/** One problem in a pipeline file, at a position. */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** A pipeline file that validated, compiled to a GraphSpec. */
export interface LoadedPipeline {
  /** Absolute path. */
  readonly file: string;
  readonly name: string;
  readonly spec: GraphSpec;
  /** Task ids in declaration order. */
  readonly tasks: readonly string[];
  /** The graph that runs the pipeline, with the CLI's options (checkpointer, workers). */
  graph(...options: GraphOption[]): Result<Graph, OrchestrationError>;
}

/** Why a file did not load: its diagnostics, or an error reading it. */
export type LoadFailure =
  | { readonly kind: 'invalid'; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: 'error'; readonly error: OrchestrationError };

interface TaskDecl {
  id: string;
  action: string;
  parameters: Record<string, unknown>;
  dependencies: string[];
  line: number;
  col: number;
}

/** Loads, validates and compiles a pipeline file against the registered actions. */
export async function loadPipeline(
  path: string,
  actions: readonly ActionDefinition[],
): Promise<Result<LoadedPipeline, LoadFailure>> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    return err({
      kind: 'error',
      error: new OrchestrationError('invalid_input', `cannot read ${path}: ${showError(cause)}`, {
        op: 'baton',
      }),
    });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number | undefined, message: string): void => {
    const pos = lines.linePos(offset ?? 0);
    diagnostics.push({ file: path, line: pos.line, col: pos.col, message });
  };
  for (const e of doc.errors) at(e.pos[0], e.message.split('\n')[0] ?? e.message);
  if (diagnostics.length > 0) return err({ kind: 'invalid', diagnostics });
  const data = doc.toJS() as { name?: unknown; id?: unknown; tasks?: unknown };
  const byName = new Map(actions.map((a) => [a.name, a]));
  const tasks: TaskDecl[] = [];
  const seq = doc.get('tasks', true) as { items?: { range?: [number] }[] } | undefined;
  if (!Array.isArray(data.tasks)) at(0, 'tasks: expected a list of tasks');
  else
    (data.tasks as Record<string, unknown>[]).forEach((t, i) => {
      const offset = seq?.items?.[i]?.range?.[0];
      const pos = lines.linePos(offset ?? 0);
      const id = typeof t['id'] === 'string' ? t['id'] : `#${i}`;
      const action = typeof t['action'] === 'string' ? t['action'] : '';
      if (!byName.has(action))
        at(
          offset,
          `tasks[${i}].action: unknown action "${action}"; registered: ${[...byName.keys()].join(', ') || 'none'}`,
        );
      const deps = Array.isArray(t['dependencies'])
        ? (t['dependencies'] as unknown[]).map(String)
        : [];
      tasks.push({
        id,
        action,
        parameters: (t['parameters'] ?? {}) as Record<string, unknown>,
        dependencies: deps,
        line: pos.line,
        col: pos.col,
      });
    });
  const ids = new Set(tasks.map((t) => t.id));
  for (const t of tasks)
    for (const d of t.dependencies)
      if (!ids.has(d))
        diagnostics.push({
          file: path,
          line: t.line,
          col: t.col,
          message: `tasks.${t.id}.dependencies: unknown task "${d}"`,
        });
  if (diagnostics.length > 0) return err({ kind: 'invalid', diagnostics });
  const name = typeof data.id === 'string' ? data.id : 'pipeline';
  const runnables: Record<string, Runnable<never>> = {};
  const graph = createGraph(withGraphName(name));
  if (graph.isErr()) return err({ kind: 'error', error: graph.error });
  for (const t of tasks) {
    const action = byName.get(t.action) as ActionDefinition;
    const r = runnable(`task:${t.id}`, (deps: unknown, ctx) => {
      const merged: Record<string, unknown> = { ...t.parameters };
      if (t.dependencies.length === 1) merged[t.dependencies[0] as string] = deps;
      else if (t.dependencies.length > 1) Object.assign(merged, deps as object);
      return action.runnable.invoke(merged, { signal: ctx.signal, parent: ctx });
    });
    runnables[r.name] = r;
    graph.value.addNode(t.id, r);
  }
  for (const t of tasks) for (const d of t.dependencies) graph.value.addEdge(d, t.id);
  const spec = graph.value.toSpec();
  if (spec.isErr()) return err({ kind: 'error', error: spec.error });
  return ok({
    file,
    name,
    spec: spec.value,
    tasks: tasks.map((t) => t.id),
    graph: (...options) => graphFromSpec(spec.value, { runnables }, ...options),
  });
}
