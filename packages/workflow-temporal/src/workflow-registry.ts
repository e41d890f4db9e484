import {
  createRegistry,
  type OrchestrationError,
  type Registry,
  type WorkflowProvider,
} from '@baton/core';
import type { Result } from 'neverthrow';
import { temporalWorkflowProvider } from './temporal-workflow-provider.js';

// Built lazily so that importing the package has no side effects.
let defaultRegistry: Registry<WorkflowProvider> | undefined;

/**
 * The process-wide workflow registry that `createWorkflow` and `registerWorkflowProvider` use; it
 * starts with the `temporal` provider. This is the live registry: an Orchestrator (or a test) that
 * wants its own set takes `defaultWorkflowRegistry().clone()` and passes it to
 * `createWorkflowWithRegistry`.
 */
export function defaultWorkflowRegistry(): Registry<WorkflowProvider> {
  defaultRegistry ??= createRegistry<WorkflowProvider>('workflow provider', [
    ['temporal', temporalWorkflowProvider],
  ]);
  return defaultRegistry;
}

/**
 * Adds a workflow provider to the default registry, to be picked with `withWorkflowProvider(name)`.
 * A duplicate or empty name fails with `invalid_config`.
 *
 * @example
 * registerWorkflowProvider('recording', myProvider);
 * const wf = createWorkflow('orders', withWorkflowProvider('recording'));
 */
export function registerWorkflowProvider(
  name: string,
  provider: WorkflowProvider,
): Result<void, OrchestrationError> {
  return defaultWorkflowRegistry().register(name, provider);
}
