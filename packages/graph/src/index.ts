/** Public surface of @baton/graph: a parallel DAG executor. Named exports only. */
export { createGraph, createGraphWithRegistry } from './create-graph.js';
export { dagGraphProvider } from './dag-graph.js';
export { defaultGraphRegistry, registerGraphProvider } from './graph-registry.js';
export {
  DEFAULT_GRAPH_CONFIG,
  resolveGraphConfig,
  withGraphCheckpointer,
  withGraphDescription,
  withGraphFailFast,
  withGraphHooks,
  withGraphMaxWorkers,
  withGraphName,
  withGraphParallelExecution,
  withGraphProvider,
  withGraphQueueSize,
  withGraphRateLimit,
  withGraphRetries,
  withGraphTimeout,
} from './graph-options.js';
export type { GraphOption } from './graph-options.js';
export {
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_NODE_CONFIG,
  DEFAULT_NODE_MAP,
  withNodeCache,
  withNodeInput,
  withNodeHooks,
  withNodeLoop,
  withNodeMap,
  withNodePriority,
  withNodePure,
  withNodeRateLimit,
  withNodeRetries,
  withNodeRetryPolicy,
  withNodeTimeout,
  withNodeTriggerRule,
} from './node-options.js';
export type { NodeOption } from './node-options.js';
export type { GraphErrorReason } from './graph-error-reason.js';
export { createGraphBuilder } from './graph-builder.js';
export type { GraphBuilder, GraphFactory } from './graph-builder.js';
export type {
  BuilderState,
  BuiltInput,
  BuiltOutput,
  DuplicateNodeName,
  EdgeTypeMismatch,
  EmptyBuilderState,
  NodeNameNeeded,
} from './graph-builder-types.js';
export { graphBindings } from './graph-bindings.js';
export type { GraphBindings } from './graph-bindings.js';
export { graphFromSpec } from './graph-from-spec.js';
export type { SpecBindings } from './graph-from-spec.js';
export { namedRouter } from './named-router.js';
export { specToMermaid } from './spec-to-mermaid.js';
