/**
 * `@baton/workflow-temporal/workflow`: code that runs inside Temporal's workflow sandbox. It
 * imports `@temporalio/workflow` and the pure `@baton/graph/scheduling` only (no Node built-ins,
 * no OpenTelemetry SDK): re-export from it in your workflows module.
 */
export { batonRunnable } from './baton-runnable.js';
export type { BatonRunnableInput } from './baton-runnable.js';
export { batonGraph } from './baton-graph.js';
export type { BatonGraphInput, CarriedState } from './baton-graph.js';
export type { CarriedOutcome } from './graph-run.js';
export type { WireNode, WireSpec } from './wire-spec.js';
export { registerPureRouters, registerPureRunnables } from './pure-runnables.js';
export type { PureContext, PureRouter, PureRunnable } from './pure-runnables.js';
export { DEFAULT_GRAPH_INTERPRETER_SETTINGS, GRAPH_QUERIES, GRAPH_SIGNALS } from './graph-wire.js';
export type {
  GraphEvent,
  GraphInterpreterSettings,
  GraphProgress,
  GraphWireResult,
  NodeCall,
  NodeCallResult,
  NodeStatus,
  WireError,
} from './graph-wire.js';
