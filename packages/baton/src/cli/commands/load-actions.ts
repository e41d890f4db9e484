import type { OrchestrationError } from '@baton/core';
import type { ActionDefinition } from '../../contracts.js';
import { loadActionsModule } from '../actions-module.js';

/** Imports every actions module; the first failure ends the command. */
export async function loadActions(
  paths: readonly string[],
): Promise<{ actions: ActionDefinition[]; error?: OrchestrationError }> {
  const actions: ActionDefinition[] = [];
  for (const path of paths) {
    const loaded = await loadActionsModule(path);
    if (loaded.isErr()) return { actions, error: loaded.error };
    actions.push(...loaded.value);
  }
  return { actions };
}
