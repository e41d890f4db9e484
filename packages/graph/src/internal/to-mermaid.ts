import { CONDITIONAL, OPTIONAL, type GraphStructure } from './graph-structure.js';

function label(name: string): string {
  return `"${name.replace(/"/g, '#quot;').replace(/\n/g, ' ')}"`;
}

/**
 * Draws `structure` as a Mermaid flowchart. Nodes are `n<index>` labelled with their names;
 * routers are rhombi. Required edges are solid arrows, optional edges dotted (`-. optional .->`),
 * conditional edges thick and labelled (`== route ==>`). Entry and finish points get the
 * `entry` / `finish` classes.
 */
export function toMermaid(structure: GraphStructure): string {
  const lines = ['flowchart TD'];
  structure.nodes.forEach((node, i) => {
    const text = label(node.name);
    lines.push(node.router === undefined ? `  n${i}[${text}]` : `  n${i}{${text}}`);
  });
  for (const { from, to, kind } of structure.edges) {
    const arrow =
      kind === OPTIONAL ? '-. optional .->' : kind === CONDITIONAL ? '== route ==>' : '-->';
    lines.push(`  n${from} ${arrow} n${to}`);
  }
  const hasParent = new Uint8Array(structure.nodes.length);
  const hasChild = new Uint8Array(structure.nodes.length);
  for (const { from, to } of structure.edges) {
    hasChild[from] = 1;
    hasParent[to] = 1;
  }
  const pick = (declared: readonly number[] | undefined, flags: Uint8Array): number[] =>
    declared !== undefined
      ? [...declared]
      : structure.nodes.map((_, i) => i).filter((i) => flags[i] === 0);
  const entries = pick(structure.entry, hasParent);
  const finishes = pick(structure.finish, hasChild);
  if (entries.length > 0 || finishes.length > 0) {
    lines.push(
      '  classDef entry stroke-width:3px',
      '  classDef finish stroke-width:3px,stroke-dasharray:4 2',
    );
  }
  if (entries.length > 0) lines.push(`  class ${entries.map((i) => `n${i}`).join(',')} entry`);
  if (finishes.length > 0) lines.push(`  class ${finishes.map((i) => `n${i}`).join(',')} finish`);
  return lines.join('\n');
}
