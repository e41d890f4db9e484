import type { GraphSpec, StoredRun } from '@baton/core';
import type { Pipeline } from '../pipeline/pipeline-types.js';
import { specToMermaid } from '@baton/graph';

/** The formats `baton graph` draws. */
export type PictureFormat = 'mermaid' | 'ascii' | 'svg';

/** A task's state in a picture of a run. */
type NodeState = 'done' | 'failed' | 'skipped' | 'pending';

const MARK: Record<NodeState, string> = { done: '✔', failed: '✖', skipped: '–', pending: '…' };

/** Fills readable on a light and a dark background. */
const CLASS_DEFS = [
  '  classDef done fill:#d3f9d8,stroke:#2b8a3e',
  '  classDef failed fill:#ffe3e3,stroke:#c92a2a',
  '  classDef skipped fill:#f1f3f5,stroke:#868e96',
  '  classDef pending fill:#fff9db,stroke:#e67700',
];

/**
 * The picture's graph: the pipeline's tasks and their dependencies (optional ones dotted), without
 * the nodes the compiler adds to feed inputs, decide `when` and collect outputs.
 */
export function taskSpec(pipeline: Pipeline, spec: GraphSpec): GraphSpec {
  const ids = new Set(pipeline.tasks.map((t) => t.id));
  const { entry: _entry, finish: _finish, ...rest } = spec;
  return {
    ...rest,
    nodes: spec.nodes.filter((n) => ids.has(n.name)),
    edges: pipeline.tasks.flatMap((t) =>
      t.dependencies.map((d) => ({ from: d.id, to: t.id, required: d.required })),
    ),
    conditionalEdges: [],
  };
}

/** Each node's state in a stored run: its record, else pending (also for a running run). */
export function nodeStates(spec: GraphSpec, run: StoredRun): Map<string, NodeState> {
  const byNode = new Map(run.nodes.map((n) => [n.node, n.status]));
  const states = new Map<string, NodeState>();
  for (const node of spec.nodes) {
    const status = byNode.get(node.name);
    states.set(
      node.name,
      status === 'succeeded'
        ? 'done'
        : status === 'failed'
          ? 'failed'
          : status === 'skipped'
            ? 'skipped'
            : 'pending',
    );
  }
  return states;
}

/**
 * The spec as a Mermaid flowchart (`specToMermaid`); with `states`, each node is labelled with a
 * mark and gets the class of its state, which the SVG fills with a colour.
 */
function pictureSource(spec: GraphSpec, states?: ReadonlyMap<string, NodeState>): string {
  const base = specToMermaid(spec);
  if (states === undefined) return base;
  const index = new Map(spec.nodes.map((node, i) => [`n${i}`, node.name]));
  const lines = base.split('\n').map((line) => {
    const m = /^ {2}(n\d+)([[{])"(.*)"([\]}])$/.exec(line);
    const name = m === null ? undefined : index.get(m[1] as string);
    const state = name === undefined ? undefined : states.get(name);
    if (m === null || state === undefined) return line;
    return `  ${m[1]}${m[2]}"${m[3]} ${MARK[state]}"${m[4]}`;
  });
  const byState = new Map<NodeState, string[]>();
  spec.nodes.forEach((node, i) => {
    const state = states.get(node.name);
    if (state !== undefined) byState.set(state, [...(byState.get(state) ?? []), `n${i}`]);
  });
  lines.push(...CLASS_DEFS);
  for (const [state, ids] of byState) lines.push(`  class ${ids.join(',')} ${state}`);
  return lines.join('\n');
}

/** Draws the spec in `format`, locally: no browser, no network. */
export async function drawPicture(
  spec: GraphSpec,
  format: PictureFormat,
  options: { readonly states?: ReadonlyMap<string, NodeState>; readonly color?: boolean } = {},
): Promise<string> {
  const source = pictureSource(spec, options.states);
  if (format === 'mermaid') return `${source}\n`;
  const { renderMermaidASCII, renderMermaidSVG } = await import('beautiful-mermaid');
  if (format === 'ascii')
    return `${renderMermaidASCII(source, { colorMode: options.color === true ? 'auto' : 'none' })}\n`;
  return `${renderMermaidSVG(source)}\n`;
}
