import { OrchestrationError, type Graph, type RunEvent, type RunOptions } from '@baton/core';
import { graphFromSpec, type GraphOption } from '@baton/graph';
import { err, errAsync, ok, okAsync, ResultAsync, type Result } from 'neverthrow';
import type { ModelEvent } from './model-registry.js';
import { compilePipeline, type CompiledPipeline } from './pipeline/compile-pipeline.js';
import { loadPipelineFile } from './pipeline/load-pipeline-file.js';
import { parsePipeline } from './pipeline/parse-pipeline.js';
import type { Pipeline, PipelineLookups } from './pipeline/pipeline-types.js';
import { validatePipeline } from './pipeline/validate-pipeline.js';

/**
 * A pipeline to run: the path of a YAML or JSON file, its text (`file` names it in
 * diagnostics), or a pipeline `validatePipeline` returned.
 */
export type PipelineSource = string | { readonly text: string; readonly file?: string } | Pipeline;

/** A pipeline ready to run: what was validated, what it compiled to, and its graph. */
export interface LoadedPipeline {
  readonly pipeline: Pipeline;
  readonly compiled: CompiledPipeline;
  /** Counted by the Orchestrator like any graph it created; `start`/`resume` work too. */
  readonly graph: Graph;
}

/** Options of `runPipeline`: a run's options, and a listener of its events. */
export interface PipelineRunOptions extends RunOptions {
  /** Receives every event of the run as it happens (for a live view). */
  readonly onEvent?: (event: RunEvent) => void;
}

/** How a pipeline run ended. */
export interface PipelineRun {
  readonly runId: string;
  /** The pipeline's `outputs`, or the outputs of the tasks nothing depends on, by task id. */
  readonly output: unknown;
  /** The models that answered each task's model calls (`generate_text`, `chat`), in order. */
  readonly models: Readonly<Record<string, readonly string[]>>;
  /** Tasks that failed without failing the run (optional dependencies), by task id. */
  readonly failures: Readonly<Record<string, OrchestrationError>>;
}

const OP = 'runPipeline';

function isPipeline(source: object): source is Pipeline {
  const s = source as Partial<Pipeline>;
  return (
    Array.isArray(s.tasks) && typeof s.declaredInputs === 'boolean' && typeof s.id === 'string'
  );
}

/** Reads, parses and validates `source` against `lookups` (every diagnostic at once). */
export function validateSource(
  source: PipelineSource,
  lookups: PipelineLookups,
): ResultAsync<Pipeline, OrchestrationError> {
  if (typeof source === 'string') {
    return loadPipelineFile(source).andThen((parsed) => validatePipeline(parsed, lookups));
  }
  if (typeof source === 'object' && source !== null) {
    if (typeof (source as { text?: unknown }).text === 'string') {
      const { text, file } = source as { text: string; file?: string };
      const parsed = parsePipeline(text, file === undefined ? {} : { file });
      return resultAsync(parsed.andThen((p) => validatePipeline(p, lookups)));
    }
    if (isPipeline(source)) return okAsync(source);
  }
  return errAsync(
    new OrchestrationError(
      'invalid_input',
      `${OP}: expected a file path, { text, file? } or a validated Pipeline`,
      { op: OP },
    ),
  );
}

function resultAsync<T>(result: Result<T, OrchestrationError>): ResultAsync<T, OrchestrationError> {
  return result.isOk() ? okAsync(result.value) : errAsync(result.error);
}

/** Compiles a validated pipeline and builds its graph with `options` (checkpoints, telemetry). */
export function buildPipelineGraph(
  pipeline: Pipeline,
  lookups: PipelineLookups,
  options: readonly GraphOption[],
): Result<{ compiled: CompiledPipeline; graph: Graph }, OrchestrationError> {
  return compilePipeline(pipeline, lookups).andThen((compiled) =>
    graphFromSpec(compiled.spec, compiled, ...options).map((graph) => ({ compiled, graph })),
  );
}

function isModelEvent(chunk: unknown): chunk is ModelEvent {
  return (
    typeof chunk === 'object' && chunk !== null && (chunk as { kind?: unknown }).kind === 'model'
  );
}

/** Streams one run of `graph`, collecting its output, the models that answered and failures. */
export function runPipelineGraph(
  graph: Graph,
  input: unknown,
  options: PipelineRunOptions,
): ResultAsync<PipelineRun, OrchestrationError> {
  const { onEvent, ...runOptions } = options;
  return new ResultAsync(
    new Promise<Result<PipelineRun, OrchestrationError>>((resolve) => {
      const models: Record<string, string[]> = {};
      let end: Extract<RunEvent, { type: 'run-end' }> | undefined;
      graph.stream(input, runOptions).subscribe({
        next(event) {
          try {
            onEvent?.(event);
          } catch {
            // a listener's failure is its own: the run goes on
          }
          if (event.type === 'chunk' && isModelEvent(event.chunk) && event.chunk.outcome === 'ok') {
            const task = event.path[0] ?? event.step;
            (models[task] ??= []).push(event.chunk.model);
          } else if (event.type === 'run-end') end = event;
        },
        error: (error: OrchestrationError) => resolve(err(error)),
        complete: () =>
          resolve(
            ok({
              runId: end?.runId ?? '',
              output: end?.output,
              models,
              failures: end?.failures ?? {},
            }),
          ),
      });
    }),
  );
}
