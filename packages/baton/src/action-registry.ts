import { OrchestrationError, runnable, type Runnable, type StepContext } from '@baton/core';
import { isRunnable, showValue } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import type { ZodType } from 'zod';
import type { ActionDefinition, ActionLookup } from './contracts.js';

/** What an action runs: a Runnable, or a function of the task's parameters. */
export type ActionImplementation =
  | Runnable<Record<string, unknown>>
  | ((parameters: Record<string, unknown>, ctx: StepContext) => unknown);

/** The actions of one Orchestrator (see `Orchestrator.registerAction`). */
export interface ActionRegistry extends ActionLookup {
  /**
   * Adds an action. A bad name, a duplicate, an implementation that is neither a Runnable nor a
   * function, or a schema that is not a zod schema fails with `invalid_config`.
   */
  register(
    name: string,
    implementation: ActionImplementation,
    schema?: ZodType,
    description?: string,
  ): Result<void, OrchestrationError>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function invalid(message: string, name: unknown): OrchestrationError {
  return new OrchestrationError('invalid_config', `registerAction: ${message}`, {
    op: 'registerAction',
    details: { name },
  });
}

function isZodSchema(value: unknown): value is ZodType {
  try {
    return typeof (value as { safeParse?: unknown } | null)?.safeParse === 'function';
  } catch {
    return false;
  }
}

/**
 * Checks and builds one action definition: the shared entry of user actions and built-ins.
 */
function defineAction(
  name: unknown,
  implementation: unknown,
  schema: unknown,
  description: unknown,
): Result<ActionDefinition, OrchestrationError> {
  if (typeof name !== 'string' || !NAME.test(name)) {
    return err(
      invalid(
        `action name must be letters, digits, "_", "." or "-" starting with a letter or "_", got ${showValue(name)}`,
        name,
      ),
    );
  }
  let run: Runnable<Record<string, unknown>>;
  if (isRunnable(implementation)) run = implementation;
  else if (typeof implementation === 'function') {
    run = runnable(
      name,
      implementation as (parameters: Record<string, unknown>, ctx: StepContext) => unknown,
    );
  } else {
    return err(
      invalid(
        `action "${name}" must be a Runnable or a function (parameters, ctx) => output, got ${showValue(implementation)}`,
        name,
      ),
    );
  }
  if (schema !== undefined && !isZodSchema(schema)) {
    return err(
      invalid(
        `the schema of action "${name}" must be a zod schema, got ${showValue(schema)}`,
        name,
      ),
    );
  }
  if (description !== undefined && typeof description !== 'string') {
    return err(invalid(`the description of action "${name}" must be a string`, name));
  }
  return ok({
    name,
    runnable: run,
    ...(schema === undefined ? {} : { schema }),
    ...(description === undefined ? {} : { description }),
  });
}

/**
 * Creates an action registry, optionally with `actions` already in it.
 *
 * @example
 * const actions = createActionRegistry();
 * actions.register('shout', (p) => String(p['text']).toUpperCase(), z.object({ text: z.string() }));
 */
export function createActionRegistry(actions: Iterable<ActionDefinition> = []): ActionRegistry {
  const byName = new Map<string, ActionDefinition>();
  for (const action of actions) byName.set(action.name, action);
  return {
    get: (name) => byName.get(name),
    names: () => [...byName.keys()].sort(),
    register(name, implementation, schema, description) {
      const defined = defineAction(name, implementation, schema, description);
      if (defined.isErr()) return err(defined.error);
      if (byName.has(name)) {
        return err(invalid(`action "${name}" is already registered; pick another name`, name));
      }
      byName.set(name, defined.value);
      return ok(undefined);
    },
  };
}
