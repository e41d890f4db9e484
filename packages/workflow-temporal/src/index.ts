/**
 * Public surface of @baton/workflow-temporal: the `temporal` workflow provider, its options and the
 * default workflow registry. The worker is in `./worker`, sandbox code in `./workflow`.
 */
export {
  DEFAULT_GRAPH_INTERPRETER_SETTINGS,
  DEFAULT_TEMPORAL_WORKFLOW_CONFIG,
  GRAPH_QUERIES,
  GRAPH_SIGNALS,
  createTemporalGraphWorkflow,
  createTemporalWorkflow,
  fromTemporalError,
  temporalWorkflowProvider,
  withTemporalAddress,
  withTemporalCheckTimeout,
  withGraphInterpreter,
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
  GraphEvent,
  GraphInterpreterSettings,
  GraphProgress,
  GraphRunResult,
  NodeStatus,
  TemporalGraphWorkflow,
  TemporalWorkflow,
  TemporalWorkflowConfig,
  TemporalWorkflowDefinition,
  WorkflowOption,
} from './client/index.js';
export { createWorkflow, createWorkflowWithRegistry } from './create-workflow.js';
export { defaultWorkflowRegistry, registerWorkflowProvider } from './workflow-registry.js';
