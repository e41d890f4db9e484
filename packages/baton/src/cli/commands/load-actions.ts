import type { OrchestrationError } from '@baton/core';
import type { ActionDefinition } from '../../contracts.js';
import type { ModelDefinition } from '../../model-definition.js';
import { loadActionsModule } from '../actions-module.js';
import type { Extensions } from '../pipeline-session.js';

/** Imports every `--actions` module; the first failure ends the command. */
export async function loadActions(
  paths: readonly string[],
): Promise<{ extensions: Extensions; error?: OrchestrationError }> {
  const actions: ActionDefinition[] = [];
  const models: ModelDefinition[] = [];
  for (const path of paths) {
    const loaded = await loadActionsModule(path);
    if (loaded.isErr()) return { extensions: { actions, models }, error: loaded.error };
    actions.push(...loaded.value.actions);
    models.push(...loaded.value.models);
  }
  return { extensions: { actions, models } };
}
