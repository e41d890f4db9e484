import { runnable } from '@baton/core';
import { z } from 'zod';
import type { ActionDefinition } from '../contracts.js';
import { parseParameters } from './parameters.js';

const schema = z.looseObject({ template: z.string() });

/**
 * `template`: the string `template` once the pipeline rendered its references (`{task}`,
 * `{task.field}`, `{input.key}`). The action itself substitutes nothing: rendering is one pass,
 * done by the pipeline, so text coming from results is never rendered again.
 */
export function templateAction(): ActionDefinition {
  return {
    name: 'template',
    description: 'Renders a string from earlier results and inputs',
    schema,
    runnable: runnable('template', (parameters: Record<string, unknown>) => {
      return parseParameters('template', schema, parameters).template;
    }),
  };
}
