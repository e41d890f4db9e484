/**
 * Workflows the Orchestrator's Temporal tests run (sandbox code: imports `@temporalio/workflow`
 * and Baton's sandbox-safe `./workflow` entry only).
 */
import { condition } from '@temporalio/workflow';

export { batonRunnable } from '@baton/workflow-temporal/workflow';

/** Never ends on its own. */
export async function forever(): Promise<void> {
  await condition(() => false);
}
