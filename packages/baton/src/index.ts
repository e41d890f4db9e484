/** Public surface of baton. */
export type { ActionDefinition, ActionLookup, ModelLookup } from './contracts.js';
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
