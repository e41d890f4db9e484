import type { StepContext } from '@baton/core';
import type { ActionDefinition } from '../contracts.js';

/**
 * Runs `action` from a pipeline task's step: nested in the step's run (canceled with it), with
 * the run's metadata, configurable and tags, and the action's `chunk` events (such as the
 * `ModelEvent` of `generate_text`, naming the model that answered) passed on as the step's own.
 * Rejects with the action's OrchestrationError.
 */
export function runAction(
  action: ActionDefinition,
  parameters: Record<string, unknown>,
  ctx: StepContext,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let output: unknown;
    action.runnable
      .stream(parameters, {
        parent: ctx,
        metadata: ctx.metadata,
        configurable: ctx.configurable,
        tags: ctx.tags,
      })
      .subscribe({
        next: (event) => {
          if (event.type === 'chunk') ctx.emit(event.chunk);
          else if (event.type === 'run-end') output = event.output;
        },
        error: reject,
        complete: () => resolve(output),
      });
  });
}
