/**
 * `@baton/workflow-temporal/worker`: a Temporal worker that serves Baton Runnables as activities.
 * Node only (it loads the Temporal core bridge).
 */
export { createBatonWorker } from './create-baton-worker.js';
export type { BatonWorker, BatonWorkerConfig } from './create-baton-worker.js';
export {
  createBatonActivities,
  runnableActivity,
  toApplicationFailure,
} from './runnable-activity.js';
export type {
  RunnableActivities,
  RunnableActivity,
  RunnableActivityOptions,
} from './runnable-activity.js';
export { TRACING_WORKFLOW_INTERCEPTORS } from './worker-tracing.js';
export type { BatonWorkerTracing, WorkflowSpanProcessor } from './worker-tracing.js';
