import type { ActionDefinition, ActionLookup } from './contracts.js';
import { readFileAction, writeFileAction } from './actions/file-actions.js';
import { httpAction } from './actions/http-action.js';
import { mapAction } from './actions/map-action.js';
import { chatAction, generateTextAction } from './actions/model-actions.js';
import { shellAction } from './actions/shell-action.js';
import { templateAction } from './actions/template-action.js';
import type { BuiltinActionSettings } from './builtin-action-settings.js';
import type { ModelRegistry } from './model-registry.js';

/**
 * The built-in actions: `generate_text`, `chat`, `template`, `http`, `read_file`, `write_file`,
 * `map` and `shell`. `map` looks actions up in `lookup` when it runs, so it reaches actions
 * registered later.
 */
export function builtinActions(
  models: ModelRegistry,
  settings: Readonly<BuiltinActionSettings>,
  lookup: ActionLookup,
): ActionDefinition[] {
  return [
    generateTextAction(models),
    chatAction(models),
    templateAction(),
    httpAction(settings.httpAllowedHosts, settings.timeoutMs),
    readFileAction(settings.rootDir),
    writeFileAction(settings.rootDir),
    mapAction(lookup, settings.mapConcurrency),
    shellAction(settings.shell, settings.rootDir, settings.timeoutMs),
  ];
}
