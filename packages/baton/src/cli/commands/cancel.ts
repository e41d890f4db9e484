import { OrchestrationError } from '@baton/core';
import { EXIT } from '../exit-codes.js';
import { openStore } from '../store.js';
import type { CommandContext } from './context.js';

/** Options of `baton cancel`. */
export interface CancelOptions {
  readonly store?: string;
}

/**
 * `baton cancel <runId>`: records the run as canceled. A `baton run` or `baton resume` running
 * it watches its record and cancels (its tasks see their signal); a run whose process died is
 * marked so. Either way `baton resume` can continue it later.
 */
export async function cancelCommand(
  runId: string,
  options: CancelOptions,
  ctx: CommandContext,
): Promise<number> {
  const opened = await openStore(options.store);
  if (opened.isErr()) return ctx.fail(opened.error);
  const { store, close } = opened.value;
  try {
    const loaded = await store.loadRun(runId);
    if (loaded.isErr()) return ctx.fail(loaded.error);
    const { run } = loaded.value;
    if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'canceled') {
      return ctx.fail(
        new OrchestrationError(
          'invalid_state',
          `run ${runId} already ${run.status === 'canceled' ? 'was canceled' : run.status}; nothing to cancel`,
          { op: 'baton cancel' },
        ),
      );
    }
    const saved = await store.saveRun({ ...run, status: 'canceled', updatedAt: Date.now() });
    if (saved.isErr()) return ctx.fail(saved.error);
    ctx.stdout.write(`run ${runId} canceled; resume it with: baton resume ${runId}\n`);
    return EXIT.ok;
  } finally {
    await close();
  }
}
