/** Public surface of baton: the Orchestrator, its actions and models, pipeline contracts. */
export type { ActionDefinition, ActionLookup, ActionSignature, ModelLookup } from './contracts.js';
export { createOrchestrator } from './orchestrator.js';
export type { Orchestrator } from './orchestrator.js';
export {
  DEFAULT_ORCHESTRATOR_CONFIG,
  withBuiltinActions,
  withChainTimeout,
  withCheckpointStore,
  withFeatures,
  withGraphMaxWorkers,
  withHealthCheckInterval,
  withShutdownTimeout,
  withTemporal,
  withWorkflowTaskQueue,
} from './orchestrator-options.js';
export type {
  OrchestratorConfig,
  OrchestratorFeatures,
  OrchestratorOption,
  TemporalSettings,
} from './orchestrator-options.js';
export { withLogger, withMetricsPrefix } from '@baton/core';
export { createActionRegistry } from './action-registry.js';
export type { ActionImplementation, ActionRegistry } from './action-registry.js';
export type { BuiltinActionSettings } from './builtin-action-settings.js';
export type { HttpResponse } from './actions/http-action.js';
export type { ShellResult } from './actions/shell-action.js';
export { createModelRegistry } from './model-registry.js';
export type {
  ModelAttempt,
  ModelCallOptions,
  ModelEvent,
  ModelRegistry,
  ModelRequest,
  ModelResult,
  ModelStats,
} from './model-registry.js';
export type {
  ChatMessage,
  LangChainChatModelLike,
  ModelDefinition,
  ModelInput,
  ModelRateLimit,
  TokenUsage,
} from './model-definition.js';
export { compilePipeline } from './pipeline/compile-pipeline.js';
export type { CompiledPipeline } from './pipeline/compile-pipeline.js';
export {
  PIPELINE_INPUT_NODE,
  PIPELINE_OUTPUTS_NODE,
  pipelineGateNode,
} from './pipeline/pipeline-runnables.js';
export { loadPipelineFile } from './pipeline/load-pipeline-file.js';
export { parsePipeline } from './pipeline/parse-pipeline.js';
export type {
  ParsedPipeline,
  ParsePipelineOptions,
  PipelinePath,
  PipelinePosition,
} from './pipeline/parse-pipeline.js';
export { formatDiagnostic, pipelineDiagnostics } from './pipeline/pipeline-diagnostics.js';
export { resolvePipelineInput } from './pipeline/pipeline-input.js';
export type {
  Pipeline,
  PipelineCache,
  PipelineDependency,
  PipelineDiagnostic,
  PipelineDiagnosticCode,
  PipelineInput,
  PipelineInputType,
  PipelineLookups,
  PipelineRetry,
  PipelineSettings,
  PipelineTask,
} from './pipeline/pipeline-types.js';
export { validatePipeline } from './pipeline/validate-pipeline.js';
export type {
  LoadedPipeline,
  PipelineRun,
  PipelineRunOptions,
  PipelineSource,
} from './run-pipeline.js';
export type { ActionsModule } from './cli/actions-module.js';
export { createTrigger } from './triggers/create-trigger.js';
export type { Trigger, TriggerStopOptions } from './triggers/trigger.js';
export type {
  TriggerActivity,
  TriggerActivityType,
  TriggerStats,
} from './triggers/trigger-activity.js';
export {
  DEFAULT_TRIGGER_CONFIG,
  withTriggerBackoff,
  withTriggerConcurrency,
  withTriggerDeadLetter,
  withTriggerInput,
  withTriggerLedger,
  withTriggerName,
  withTriggerRunId,
} from './triggers/trigger-options.js';
export type {
  TriggerConfig,
  TriggerDeadLetter,
  TriggerOption,
} from './triggers/trigger-options.js';
export type { TriggerDelivery, TriggerEvent, TriggerSource } from './triggers/trigger-source.js';
export type { TriggerTarget } from './triggers/trigger-targets.js';
export { fromObservable } from './triggers/from-observable.js';
export type { ObservableSourceOptions } from './triggers/from-observable.js';
export { webhookSource } from './triggers/webhook-source.js';
export type { WebhookSource } from './triggers/webhook-source.js';
export type { WebhookSourceOptions } from './triggers/webhook-options.js';
export { signWebhook } from './triggers/webhook-options.js';
export { redisStreamSource } from './triggers/redis-stream-source.js';
export type { RedisStreamSource } from './triggers/redis-stream-source.js';
export {
  decodeJsonPayload,
  withStreamBlockMs,
  withStreamClaimIdleMs,
  withStreamConsumer,
  withStreamDeadLetter,
  withStreamDecode,
  withStreamMaxDeliveries,
} from './triggers/redis-stream-options.js';
export type {
  RedisStreamSourceConfig,
  StreamEntry,
  StreamEntryDecoder,
} from './triggers/redis-stream-options.js';
