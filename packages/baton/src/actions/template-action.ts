import { runnable } from '@baton/core';
import type { ActionDefinition } from '../contracts.js';
import { TEMPLATE } from './builtin-signatures.js';
import { parseParameters } from './parameters.js';

/**
 * `template`: the string `template` once the pipeline rendered its references (`{task}`,
 * `{task.field}`, `{input.key}`). The action itself substitutes nothing: rendering is one pass,
 * done by the pipeline, so text coming from results is never rendered again.
 */
export function templateAction(): ActionDefinition {
  return {
    ...TEMPLATE,
    runnable: runnable('template', (parameters: Record<string, unknown>) => {
      return parseParameters('template', TEMPLATE.schema, parameters).template;
    }),
  };
}
