import { SUCCEEDED } from './scheduler.js';
import type { ScheduleGraph } from './schedule-graph.js';

/**
 * A run's output once every node settled and no failure doomed it: the only finish point's
 * output, or a record (by name) of the finish points that succeeded. When no finish point
 * succeeded, the names of the finish points instead (the run fails with `invalid_state`).
 */
export function finishOutput(
  graph: ScheduleGraph,
  state: Uint8Array,
  outputs: readonly unknown[],
):
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly finishes: string[] } {
  const finishes = graph.finishes;
  if (finishes.length === 1) {
    const f = finishes[0] as number;
    if (state[f] === SUCCEEDED) return { ok: true, value: outputs[f] };
  } else {
    const record: Record<string, unknown> = {};
    let any = false;
    for (const f of finishes) {
      if (state[f] !== SUCCEEDED) continue;
      record[graph.names[f] as string] = outputs[f];
      any = true;
    }
    if (any) return { ok: true, value: record };
  }
  return { ok: false, finishes: Array.from(finishes, (f) => graph.names[f] as string) };
}
