/**
 * `@baton/workflow-temporal/client`: start and reach workflows on Temporal. Loads
 * `@temporalio/client` only (no worker, no native bridge).
 */
export { createTemporalGraphWorkflow } from '../create-temporal-graph-workflow.js';
export type { GraphRunResult, TemporalGraphWorkflow } from '../create-temporal-graph-workflow.js';
export { createTemporalWorkflow } from '../create-temporal-workflow.js';
export {
  DEFAULT_GRAPH_INTERPRETER_SETTINGS,
  GRAPH_QUERIES,
  GRAPH_SIGNALS,
} from '../workflow/graph-wire.js';
export type {
  GraphEvent,
  GraphInterpreterSettings,
  GraphProgress,
  NodeStatus,
} from '../workflow/graph-wire.js';
export { fromTemporalError } from '../from-temporal-error.js';
export { temporalWorkflowProvider } from '../temporal-workflow-provider.js';
export type { TemporalWorkflowDefinition } from '../temporal-workflow-provider.js';
export type { TemporalWorkflow } from '../temporal-workflow.js';
export {
  DEFAULT_TEMPORAL_WORKFLOW_CONFIG,
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
} from '../temporal-workflow-options.js';
export type {
  SearchAttributeValue,
  TemporalWorkflowConfig,
  WorkflowOption,
} from '../temporal-workflow-options.js';
