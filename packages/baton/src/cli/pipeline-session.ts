import { resolve } from 'node:path';
import { OrchestrationError, type Graph, type GraphSpec } from '@baton/core';
import { graphFromSpec, type GraphOption } from '@baton/graph';
import { err, ok, type Result } from 'neverthrow';
import type { ModelDefinition } from '../model-definition.js';
import type { Pipeline, PipelineDiagnostic, PipelineLookups } from '../pipeline/pipeline-types.js';
import type { ActionDefinition } from '../contracts.js';

/** What `--actions` modules add to the CLI's Orchestrator. */
export interface Extensions {
  readonly actions: readonly ActionDefinition[];
  readonly models: readonly ModelDefinition[];
}

/** A pipeline file that validated and compiled to a GraphSpec. */
export interface LoadedPipeline {
  /** Absolute path. */
  readonly file: string;
  readonly name: string;
  readonly pipeline: Pipeline;
  readonly spec: GraphSpec;
  /** Task ids in declaration order (the spec also has the compiler's `$` nodes). */
  readonly tasks: readonly string[];
  /** The graph that runs the pipeline, with the CLI's options (checkpointer, workers). */
  graph(...options: GraphOption[]): Result<Graph, OrchestrationError>;
  /** The run's input with the declared defaults, or `invalid_input` naming every bad key. */
  input(raw: Readonly<Record<string, unknown>>): Result<unknown, OrchestrationError>;
}

/** Why a file did not load: its diagnostics, or another error (unreadable file, bad module). */
export type LoadFailure =
  | { readonly kind: 'invalid'; readonly diagnostics: readonly PipelineDiagnostic[] }
  | { readonly kind: 'error'; readonly error: OrchestrationError };

/**
 * The built-in actions and those of the `--actions` modules, with their models: the registries an
 * Orchestrator holds, made without its chain, graph and Temporal providers, which a CLI command
 * does not use and which would double the startup time of `baton validate`.
 */
async function lookupsWith(
  extensions: Extensions,
): Promise<Result<PipelineLookups, OrchestrationError>> {
  const [
    { createActionRegistry },
    { builtinActions },
    { createModelRegistry },
    { DEFAULT_ORCHESTRATOR_CONFIG },
  ] = await Promise.all([
    import('../action-registry.js'),
    import('../builtin-actions.js'),
    import('../model-registry.js'),
    import('../orchestrator-options.js'),
  ]);
  const models = createModelRegistry();
  for (const m of extensions.models) {
    const registered = models.register(m);
    if (registered.isErr()) return err(registered.error);
  }
  const settings = DEFAULT_ORCHESTRATOR_CONFIG.actions;
  // `map` looks actions up when it runs, so it sees the modules' actions too.
  const lookup = { get: (name: string) => actions.get(name), names: () => actions.names() };
  const actions = createActionRegistry(
    builtinActions(models, { ...settings, rootDir: resolve(settings.rootDir) }, lookup),
  );
  for (const a of extensions.actions) {
    const registered = actions.register(a.name, a.runnable, a.schema, a.description);
    if (registered.isErr()) return err(registered.error);
  }
  return ok({ actions, models });
}

/**
 * Reads, validates and compiles a pipeline file against the built-in actions and those of the
 * `--actions` modules, as `Orchestrator.loadPipeline` does. Every diagnostic is returned at once.
 */
export async function loadPipeline(
  path: string,
  extensions: Extensions,
): Promise<Result<LoadedPipeline, LoadFailure>> {
  const [
    { pipelineDiagnostics },
    { resolvePipelineInput },
    { validateSource },
    { compilePipeline },
  ] = await Promise.all([
    import('../pipeline/pipeline-diagnostics.js'),
    import('../pipeline/pipeline-input.js'),
    import('../run-pipeline.js'),
    import('../pipeline/compile-pipeline.js'),
  ]);
  const lookups = await lookupsWith(extensions);
  if (lookups.isErr()) return err({ kind: 'error', error: lookups.error });
  const loaded = await validateSource(path, lookups.value).andThen((pipeline) =>
    compilePipeline(pipeline, lookups.value),
  );
  if (loaded.isErr()) {
    const diagnostics = pipelineDiagnostics(loaded.error);
    if (diagnostics.length > 0) return err({ kind: 'invalid', diagnostics });
    // A file that cannot be read is the caller's mistake (exit 2), like an invalid one.
    const error =
      loaded.error.op === 'loadPipelineFile'
        ? new OrchestrationError('invalid_input', loaded.error.message, {
            op: 'baton',
            cause: loaded.error,
          })
        : loaded.error;
    return err({ kind: 'error', error });
  }
  const compiled = loaded.value;
  const { pipeline, spec } = compiled;
  return ok({
    file: resolve(path),
    name: pipeline.id,
    pipeline,
    spec,
    tasks: pipeline.tasks.map((t) => t.id),
    graph: (...options) => graphFromSpec(spec, compiled, ...options),
    input: (raw) => resolvePipelineInput(pipeline, raw),
  });
}
