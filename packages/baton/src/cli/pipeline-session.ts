import { resolve } from 'node:path';
import type { Graph, GraphSpec } from '@baton/core';
import { OrchestrationError } from '@baton/core/errors';
import type { GraphOption } from '@baton/graph';
import { err, ok, type Result } from 'neverthrow';
import type { ActionDefinition, ActionSignature } from '../contracts.js';
import type { ModelDefinition } from '../model-definition.js';
import type { Pipeline, PipelineDiagnostic, PipelineLookups } from '../pipeline/pipeline-types.js';
import { builtinSignatures } from '../actions/builtin-signatures.js';
import { DEFAULT_BUILTIN_ACTION_SETTINGS } from '../builtin-action-settings.js';
import { loadPipelineFile } from '../pipeline/load-pipeline-file.js';
import { pipelineDiagnostics } from '../pipeline/pipeline-diagnostics.js';
import { validatePipeline } from '../pipeline/validate-pipeline.js';

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
  const [{ createActionRegistry }, { builtinActions }, { createModelRegistry }] = await Promise.all(
    [
      import('../action-registry.js'),
      import('../builtin-actions.js'),
      import('../model-registry.js'),
    ],
  );
  const models = createModelRegistry();
  for (const m of extensions.models) {
    const registered = models.register(m);
    if (registered.isErr()) return err(registered.error);
  }
  const settings = DEFAULT_BUILTIN_ACTION_SETTINGS;
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
 * The lookups `baton validate` checks a file against. Without `--actions` modules: the built-in
 * actions' signatures and no model, which loads zod but none of the Runnable machinery (rxjs,
 * OpenTelemetry, the graph executor) the Orchestrator's registries need; with modules, which have
 * loaded `@baton/core` already, the registries themselves.
 */
async function signatureLookups(
  extensions: Extensions,
): Promise<Result<PipelineLookups<ActionSignature>, OrchestrationError>> {
  if (extensions.actions.length > 0 || extensions.models.length > 0) return lookupsWith(extensions);
  const signatures = new Map(
    builtinSignatures(DEFAULT_BUILTIN_ACTION_SETTINGS.shell).map((a) => [a.name, a]),
  );
  return ok({
    actions: { get: (name) => signatures.get(name), names: () => [...signatures.keys()] },
    models: { has: () => false, names: () => [], capabilities: () => [] },
  });
}

/** Its diagnostics, or (for a file that cannot be read, the caller's mistake: exit 2) the error. */
function loadFailure(error: OrchestrationError): LoadFailure {
  const diagnostics = pipelineDiagnostics(error);
  if (diagnostics.length > 0) return { kind: 'invalid', diagnostics };
  if (error.op !== 'loadPipelineFile') return { kind: 'error', error };
  return {
    kind: 'error',
    error: new OrchestrationError('invalid_input', error.message, { op: 'baton', cause: error }),
  };
}

/**
 * Reads and validates a pipeline file against the built-in actions and those of the `--actions`
 * modules, as `Orchestrator.loadPipeline` does before compiling. Every diagnostic at once.
 */
export async function validatePipelineFile(
  path: string,
  extensions: Extensions,
): Promise<Result<Pipeline, LoadFailure>> {
  const lookups = await signatureLookups(extensions);
  if (lookups.isErr()) return err({ kind: 'error', error: lookups.error });
  const validated = await loadPipelineFile(path).andThen((parsed) =>
    validatePipeline(parsed, lookups.value),
  );
  return validated.mapErr(loadFailure);
}

/**
 * Reads, validates and compiles a pipeline file against the built-in actions and those of the
 * `--actions` modules, as `Orchestrator.loadPipeline` does. Every diagnostic is returned at once.
 */
export async function loadPipeline(
  path: string,
  extensions: Extensions,
): Promise<Result<LoadedPipeline, LoadFailure>> {
  const [{ resolvePipelineInput }, { compilePipeline }, { graphFromSpec }] = await Promise.all([
    import('../pipeline/pipeline-input.js'),
    import('../pipeline/compile-pipeline.js'),
    import('@baton/graph'),
  ]);
  const lookups = await lookupsWith(extensions);
  if (lookups.isErr()) return err({ kind: 'error', error: lookups.error });
  const loaded = await loadPipelineFile(path)
    .andThen((parsed) => validatePipeline(parsed, lookups.value))
    .andThen((pipeline) => compilePipeline(pipeline, lookups.value));
  if (loaded.isErr()) return err(loadFailure(loaded.error));
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
