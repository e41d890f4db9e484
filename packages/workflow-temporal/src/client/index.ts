/**
 * `@baton/workflow-temporal/client`: start and reach workflows on Temporal. Loads
 * `@temporalio/client` only (no worker, no native bridge).
 */
export { createTemporalWorkflow } from '../create-temporal-workflow.js';
export { fromTemporalError } from '../from-temporal-error.js';
export { temporalWorkflowProvider } from '../temporal-workflow-provider.js';
export type { TemporalWorkflowDefinition } from '../temporal-workflow-provider.js';
export type { TemporalWorkflow } from '../temporal-workflow.js';
export {
  DEFAULT_TEMPORAL_WORKFLOW_CONFIG,
  withTemporalAddress,
  withTemporalCheckTimeout,
  withTemporalConnection,
  withTemporalRpcTimeout,
  withWorkflowDescription,
  withWorkflowIdPrefix,
  withWorkflowMetadata,
  withWorkflowName,
  withWorkflowProvider,
  withWorkflowRetries,
  withWorkflowSearchAttributes,
  withWorkflowTaskQueue,
  withWorkflowTimeout,
} from '../temporal-workflow-options.js';
export type {
  SearchAttributeValue,
  TemporalWorkflowConfig,
  WorkflowOption,
} from '../temporal-workflow-options.js';
