/**
 * `@baton/graph/scheduling`: the scheduling rules of a graph run as a pure, deterministic module
 * (no timers, signals, I/O, Node built-ins, OpenTelemetry or rxjs), shared by the in-process
 * executor and Temporal's interpreter workflow, which loads it inside the workflow sandbox.
 * A driver builds a `ScheduleGraph` with `createScheduleGraph`, reports outcomes to a
 * `Scheduler` (`succeed`, `fail`) and carries out its decisions (`next`).
 */
export {
  DEPENDENCY_FAILED,
  FAILED,
  QUEUED,
  READY,
  RESTORE,
  RUNNING,
  SKIP_NODE,
  SKIPPED,
  SUCCEEDED,
  Scheduler,
} from './scheduler.js';
export type { Decision, Reused } from './scheduler.js';
export { CONDITIONAL, OPTIONAL, REQUIRED, createScheduleGraph } from './schedule-graph.js';
export type {
  EdgeKind,
  ScheduleEdge,
  ScheduleGraph,
  ScheduleGraphSource,
} from './schedule-graph.js';
export { TRIGGER_RULES, triggerRuleCode } from './trigger-rules.js';
export { ReadyQueue } from './ready-queue.js';
export { readyKey, sequentialKey } from './ready-order.js';
export { finishOutput } from './run-output.js';
export { specFingerprint } from './spec-fingerprint.js';
