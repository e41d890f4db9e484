import type { OrchestrationError } from '@baton/core';
import { err, ok, type Result } from 'neverthrow';
import {
  DEFAULT_TEMPORAL_WORKFLOW_CONFIG,
  resolveTemporalWorkflowConfig,
  type WorkflowOption,
} from './temporal-workflow-options.js';
import {
  temporalWorkflowProvider,
  workflowTypeOf,
  type TemporalWorkflowDefinition,
} from './temporal-workflow-provider.js';
import type { TemporalWorkflow } from './temporal-workflow.js';

/**
 * A Temporal workflow client for one workflow type: `execute` starts an execution under a fresh
 * unique id, `getResult`/`signal`/`query`/`cancel`/`terminate` reach one by id, `check` asks the
 * server. Pass the workflow function itself (from your workflows module) to type input and
 * output, or its type name. Bad options fail with `invalid_config` naming the option.
 *
 * @example
 * const orders = createTemporalWorkflow(processOrder, withWorkflowTaskQueue('orders'),
 *   withTemporalAddress('localhost:7233'));
 * if (orders.isErr()) throw orders.error;
 * const run = await orders.value.execute({ orderId: 'o-1' });
 * if (run.isOk()) console.log(await orders.value.getResult(run.value.workflowId));
 */
export function createTemporalWorkflow<I = unknown, O = unknown>(
  definition: TemporalWorkflowDefinition<I, O>,
  ...options: WorkflowOption[]
): Result<TemporalWorkflow<I, O>, OrchestrationError> {
  const op = 'createTemporalWorkflow';
  const type = workflowTypeOf(definition);
  const defaults = { ...DEFAULT_TEMPORAL_WORKFLOW_CONFIG, name: type ?? 'workflow' };
  const config = resolveTemporalWorkflowConfig(defaults, options, op);
  if (config.isErr()) return err(config.error);
  const created = temporalWorkflowProvider.createWorkflow<I, O>(definition, config.value);
  return created.isErr() ? err(created.error) : ok(created.value as TemporalWorkflow<I, O>);
}
