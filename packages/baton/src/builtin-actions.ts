import type { ActionDefinition, ActionLookup } from './contracts.js';
import { readFileAction, writeFileAction } from './actions/file-actions.js';
import { httpAction } from './actions/http-action.js';
import { mapAction } from './actions/map-action.js';
import { chatAction, generateTextAction } from './actions/model-actions.js';
import { shellAction } from './actions/shell-action.js';
import { templateAction } from './actions/template-action.js';
import type { ModelRegistry } from './model-registry.js';

/** Settings of the built-in actions, set with `withBuiltinActions`. */
export interface BuiltinActionSettings {
  /**
   * Directory `read_file`, `write_file` and `shell` work in; paths leading out of it are refused.
   * @default the working directory when the Orchestrator is created
   */
  readonly rootDir: string;
  /**
   * Hosts `http` may call: a host name (`api.example.com`, any port) or `host:port`.
   * @default [] (every host refused)
   */
  readonly httpAllowedHosts: readonly string[];
  /** Timeout of an `http` request (and of a `shell` program) in ms. @default 10_000 */
  readonly timeoutMs: number;
  /** Items of a `map` running at once, unless a task says otherwise. @default 4 */
  readonly mapConcurrency: number;
  /** Whether `shell` may run programs. @default false */
  readonly shell: boolean;
}

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
