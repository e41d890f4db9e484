/**
 * `@baton/workflow-temporal/workflow`: code that runs inside Temporal's workflow sandbox. It
 * imports `@temporalio/workflow` only (no Node built-ins, no OpenTelemetry SDK): re-export from it
 * in your workflows module.
 */
export { batonRunnable } from './baton-runnable.js';
export type { BatonRunnableInput } from './baton-runnable.js';
