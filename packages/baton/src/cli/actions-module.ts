import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OrchestrationError, showError } from '@baton/core/errors';
import { err, ok, type Result } from 'neverthrow';
import type { ActionDefinition } from '../contracts.js';
import type { ModelDefinition } from '../model-definition.js';

/**
 * What a module given to `baton run --actions <module>` exports: the actions its pipelines use,
 * registered on the CLI's Orchestrator before the file is validated.
 *
 * @example
 * // actions.ts
 * import { runnable } from '@baton/core';
 * import type { ActionsModule } from 'baton';
 * export const actions: ActionsModule['actions'] = [
 *   { name: 'shout', runnable: runnable('shout', (p: Record<string, unknown>) => String(p['text']).toUpperCase()) },
 * ];
 */
export interface ActionsModule {
  readonly actions: readonly ActionDefinition[];
  /** Models `generate_text` and `chat` may pick (e.g. a LangChain chat model). @default [] */
  readonly models?: readonly ModelDefinition[];
}

const OP = 'baton --actions';

function invalid(path: string, message: string): OrchestrationError {
  return new OrchestrationError('invalid_input', `--actions ${path}: ${message}`, { op: OP });
}

function isAction(value: unknown): value is ActionDefinition {
  const a = value as Partial<ActionDefinition> | null;
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.name === 'string' &&
    typeof a.runnable?.invoke === 'function'
  );
}

const TS = new Set(['.ts', '.mts', '.cts']);
let tsLoader: Promise<boolean> | undefined;

/** Registers tsx's ESM loader once, when tsx is installed (an optional peer dependency). */
function registerTypeScript(): Promise<boolean> {
  tsLoader ??= (async () => {
    const specifier = 'tsx/esm/api'; // not a static import: tsx is optional
    try {
      const api = (await import(specifier)) as { register: () => unknown };
      api.register();
      return true;
    } catch {
      return false;
    }
  })();
  return tsLoader;
}

/**
 * Imports an actions module. A TypeScript module is loaded through tsx when tsx is installed
 * (else compile it to JavaScript).
 */
export async function loadActionsModule(
  path: string,
): Promise<Result<Required<ActionsModule>, OrchestrationError>> {
  const file = resolve(path);
  const typescript = TS.has(extname(file));
  if (typescript && !(await registerTypeScript()))
    return err(
      invalid(
        path,
        'a TypeScript module needs tsx installed (pnpm add -D tsx), or compile it to .js',
      ),
    );
  let loaded: unknown;
  try {
    loaded = await import(pathToFileURL(file).href);
  } catch (cause) {
    return err(invalid(path, `cannot import it: ${showError(cause)}`));
  }
  const actions = (loaded as Partial<ActionsModule>).actions;
  if (!Array.isArray(actions))
    return err(invalid(path, 'the module must export `actions`, an array of action definitions'));
  const bad = (actions as unknown[]).findIndex((a) => !isAction(a));
  if (bad >= 0)
    return err(invalid(path, `actions[${bad}] is not an action definition ({ name, runnable })`));
  const models = (loaded as Partial<ActionsModule>).models ?? [];
  if (!Array.isArray(models))
    return err(invalid(path, '`models`, when exported, must be an array of model definitions'));
  return ok({
    actions: actions as readonly ActionDefinition[],
    models: models as readonly ModelDefinition[],
  });
}
