import type { GraphSpec } from '@baton/core';

function label(name: string): string {
  return `"${name.replace(/"/g, '#quot;').replace(/\n/g, ' ')}"`;
}

/**
 * Draws a graph spec as a Mermaid flowchart. Nodes are `n<index>` labelled with their names;
 * routers are rhombi. Required edges are solid arrows, optional edges dotted (`-. optional .->`),
 * conditional edges thick and labelled (`== route ==>`). Entry and finish points get the
 * `entry` / `finish` classes.
 *
 * @example
 * const spec = graph.toSpec();
 * if (spec.isOk()) console.log(specToMermaid(spec.value));
 */
export function specToMermaid(spec: GraphSpec): string {
  const index = new Map(spec.nodes.map((node, i) => [node.name, i]));
  const id = (name: string): string => `n${index.get(name) ?? -1}`;
  const routers = new Set(spec.conditionalEdges.map((c) => c.from));
  const lines = ['flowchart TD'];
  spec.nodes.forEach((node, i) => {
    const text = label(node.name);
    lines.push(routers.has(node.name) ? `  n${i}{${text}}` : `  n${i}[${text}]`);
  });
  const hasParent = new Set<string>();
  const hasChild = new Set<string>();
  for (const { from, to, required } of spec.edges) {
    lines.push(`  ${id(from)} ${required ? '-->' : '-. optional .->'} ${id(to)}`);
    hasChild.add(from);
    hasParent.add(to);
  }
  for (const { from, targets } of spec.conditionalEdges) {
    for (const to of targets) {
      lines.push(`  ${id(from)} == route ==> ${id(to)}`);
      hasChild.add(from);
      hasParent.add(to);
    }
  }
  const pick = (declared: readonly string[] | undefined, linked: Set<string>): string[] =>
    declared !== undefined
      ? declared.map(id)
      : spec.nodes.filter((n) => !linked.has(n.name)).map((n) => id(n.name));
  const entries = pick(spec.entry, hasParent);
  const finishes = pick(spec.finish, hasChild);
  if (entries.length > 0 || finishes.length > 0) {
    lines.push(
      '  classDef entry stroke-width:3px',
      '  classDef finish stroke-width:3px,stroke-dasharray:4 2',
    );
  }
  if (entries.length > 0) lines.push(`  class ${entries.join(',')} entry`);
  if (finishes.length > 0) lines.push(`  class ${finishes.join(',')} finish`);
  return lines.join('\n');
}
