/**
 * Public surface of @baton/workflow-temporal: the `temporal` workflow provider, its options and the
 * default workflow registry. The worker is in `./worker`, sandbox code in `./workflow`.
 */
export {
  DEFAULT_TEMPORAL_WORKFLOW_CONFIG,
  createTemporalWorkflow,
  fromTemporalError,
  temporalWorkflowProvider,
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
} from './client/index.js';
export type {
  SearchAttributeValue,
  TemporalWorkflow,
  TemporalWorkflowConfig,
  TemporalWorkflowDefinition,
  WorkflowOption,
} from './client/index.js';
export { createWorkflow, createWorkflowWithRegistry } from './create-workflow.js';
export { defaultWorkflowRegistry, registerWorkflowProvider } from './workflow-registry.js';
