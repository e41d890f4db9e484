import type { GraphSpec, GraphSpecNode } from '@baton/core';
import { fnv1a64 } from './fingerprint.js';

/**
 * What of a map or loop node decides how a run goes (nothing for other nodes, so their
 * fingerprints stay as they were; likewise `pure` adds a marker only when set): the kind, what a failed item does, the condition and bound.
 * Concurrency and item retries are tuning, like a node's retries.
 */
function repeat(n: GraphSpecNode): unknown[] {
  if (n.kind === 'map') return ['map', n.map?.onItemError ?? null];
  if (n.kind === 'loop') return ['loop', n.loop?.until ?? null, n.loop?.maxIterations ?? null];
  return [];
}

/**
 * The fingerprint of a spec's structure (its own `fingerprint` field is ignored): FNV-1a 64 of
 * the canonical JSON of what decides how a run goes. Pure, so a Temporal workflow can check the
 * spec it was given against the fingerprint its input pins.
 */
export function specFingerprint(spec: Omit<GraphSpec, 'fingerprint'>): string {
  const canonical = JSON.stringify([
    spec.nodes.map((n) => [
      n.name,
      n.runnable,
      n.priority,
      n.triggerRule ?? null,
      ...repeat(n),
      ...(n.pure === true ? ['pure'] : []),
    ]),
    spec.edges.map((e) => [e.from, e.to, e.required]),
    spec.conditionalEdges.map((c) => [c.from, c.router, c.targets]),
    spec.entry ?? null,
    spec.finish ?? null,
  ]);
  return fnv1a64(canonical);
}
