import {
  OrchestrationError,
  isResult,
  toOrchestrationError,
  type Registry,
  type Workflow,
  type WorkflowProvider,
} from '@baton/core';
import { err, type Result } from 'neverthrow';
import {
  DEFAULT_TEMPORAL_WORKFLOW_CONFIG,
  resolveTemporalWorkflowConfig,
  type WorkflowOption,
} from './temporal-workflow-options.js';
import { graphNameOf } from './create-temporal-graph-workflow.js';
import { workflowTypeOf } from './temporal-workflow-provider.js';
import { defaultWorkflowRegistry } from './workflow-registry.js';

/** `registry.get(name)`, or `invalid_config` when `registry` is not a Registry. */
function lookup(
  registry: Registry<WorkflowProvider>,
  name: string,
): Result<WorkflowProvider, OrchestrationError> {
  let found: unknown;
  try {
    found = registry.get(name);
  } catch (cause) {
    found = cause;
  }
  if (isResult<WorkflowProvider, OrchestrationError>(found)) return found;
  return err(
    new OrchestrationError(
      'invalid_config',
      'createWorkflowWithRegistry: registry must be a Registry of workflow providers, e.g. defaultWorkflowRegistry().clone()',
      { op: 'createWorkflow', details: { field: 'registry' } },
    ),
  );
}

/**
 * Like {@link createWorkflow}, but looks the provider up in `registry` instead of the default
 * registry (an Orchestrator passes its own copy).
 */
export function createWorkflowWithRegistry<I = unknown, O = unknown>(
  registry: Registry<WorkflowProvider>,
  definition: unknown,
  ...options: WorkflowOption[]
): Result<Workflow<I, O>, OrchestrationError> {
  const defaults = {
    ...DEFAULT_TEMPORAL_WORKFLOW_CONFIG,
    name: workflowTypeOf(definition) ?? graphNameOf(definition) ?? 'workflow',
  };
  const config = resolveTemporalWorkflowConfig(defaults, options, 'createWorkflow');
  if (config.isErr()) return err(config.error);
  const provider = lookup(registry, config.value.provider);
  if (provider.isErr()) {
    const missing = toOrchestrationError(provider.error, 'createWorkflow');
    if (missing.code !== 'not_found') return err(missing);
    return err(
      new OrchestrationError(
        'not_found',
        `createWorkflow: withWorkflowProvider: ${missing.message}`,
        { op: 'createWorkflow', cause: missing, details: missing.details },
      ),
    );
  }
  const op = `createWorkflow (provider "${config.value.provider}")`;
  let created: unknown;
  try {
    created = provider.value.createWorkflow<I, O>(definition, config.value);
  } catch (error) {
    return err(toOrchestrationError(error, op));
  }
  if (!isResult<Workflow<I, O>, OrchestrationError>(created)) {
    const message = `${op}: createWorkflow must return a Result of a Workflow, got ${typeof created}`;
    return err(new OrchestrationError('invalid_state', message, { op }));
  }
  return created.mapErr((error) => toOrchestrationError(error, op));
}

/**
 * Builds a workflow with the provider picked by `withWorkflowProvider` (default `temporal`) from
 * the default workflow registry. `definition` is what the provider understands: for `temporal`, a
 * workflow type name, a workflow function, or a Graph / GraphSpec (run by the `batonGraph`
 * interpreter, see `createTemporalGraphWorkflow`). Use `createTemporalWorkflow` for the Temporal-typed
 * result (`close()`, the config).
 *
 * @example
 * const wf = createWorkflow<{ orderId: string }, string>('processOrder', withWorkflowRetries(2));
 */
export function createWorkflow<I = unknown, O = unknown>(
  definition: unknown,
  ...options: WorkflowOption[]
): Result<Workflow<I, O>, OrchestrationError> {
  return createWorkflowWithRegistry<I, O>(defaultWorkflowRegistry(), definition, ...options);
}
