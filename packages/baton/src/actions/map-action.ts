import { OrchestrationError, runnable } from '@baton/core';
import type { ActionDefinition, ActionLookup } from '../contracts.js';
import { MAP } from './builtin-signatures.js';
import { parseParameters } from './parameters.js';

/**
 * `map`: runs another action once per item of `items` (its parameters plus `item` and `index`),
 * at most `concurrency` at once, and returns the outputs in order. The first failure cancels the
 * runs still going and fails the map.
 */
export function mapAction(actions: ActionLookup, defaultConcurrency: number): ActionDefinition {
  return {
    ...MAP,
    runnable: runnable('map', async (parameters: Record<string, unknown>, ctx) => {
      const p = parseParameters('map', MAP.schema, parameters);
      const target = actions.get(p.action);
      if (target === undefined || p.action === 'map') {
        throw new OrchestrationError(
          'invalid_input',
          `map: parameters.action: ${p.action === 'map' ? 'map cannot map itself' : `unknown action "${p.action}"; registered: ${actions.names().join(', ')}`}`,
          { op: 'map', details: { action: p.action } },
        );
      }
      const inputs = p.items.map((item, index) => {
        const input = { ...p.parameters, item, index };
        return target.schema === undefined
          ? input
          : (parseParameters(`map: ${p.action}`, target.schema, input) as Record<string, unknown>);
      });
      const outputs = await target.runnable.batch(inputs, {
        maxConcurrency: p.concurrency ?? defaultConcurrency,
        parent: ctx,
      });
      if (outputs.isErr()) throw outputs.error;
      return outputs.value;
    }),
  };
}
