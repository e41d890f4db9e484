import { resolve } from 'node:path';
import { OrchestrationError, type Graph, type GraphSpec } from '@baton/core';
import { graphFromSpec, type GraphOption } from '@baton/graph';
import { err, ok, type Result } from 'neverthrow';
import type { ModelDefinition } from '../model-definition.js';
import type { Orchestrator } from '../orchestrator.js';
import type { Pipeline, PipelineDiagnostic } from '../pipeline/pipeline-types.js';
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
  /** Stops the Orchestrator the pipeline was compiled on. */
  close(): Promise<void>;
}

/** Why a file did not load: its diagnostics, or another error (unreadable file, bad module). */
export type LoadFailure =
  | { readonly kind: 'invalid'; readonly diagnostics: readonly PipelineDiagnostic[] }
  | { readonly kind: 'error'; readonly error: OrchestrationError };

async function orchestratorWith(
  extensions: Extensions,
): Promise<Result<Orchestrator, OrchestrationError>> {
  const { createOrchestrator } = await import('../orchestrator.js');
  const { withFeatures } = await import('../orchestrator-options.js');
  const created = createOrchestrator(withFeatures({ workflows: false }));
  if (created.isErr()) return created;
  const orchestrator = created.value;
  for (const a of extensions.actions) {
    const registered = orchestrator.registerAction(a.name, a.runnable, a.schema, a.description);
    if (registered.isErr()) return err(registered.error);
  }
  for (const m of extensions.models) {
    const registered = orchestrator.registerModel(m);
    if (registered.isErr()) return err(registered.error);
  }
  return ok(orchestrator);
}

/**
 * Reads, validates and compiles a pipeline file on an Orchestrator holding the built-in actions
 * and those of the `--actions` modules. Every diagnostic of the file is returned at once.
 */
export async function loadPipeline(
  path: string,
  extensions: Extensions,
): Promise<Result<LoadedPipeline, LoadFailure>> {
  const [{ pipelineDiagnostics }, { resolvePipelineInput }] = await Promise.all([
    import('../pipeline/pipeline-diagnostics.js'),
    import('../pipeline/pipeline-input.js'),
  ]);
  const created = await orchestratorWith(extensions);
  if (created.isErr()) return err({ kind: 'error', error: created.error });
  const orchestrator = created.value;
  const loaded = await orchestrator.loadPipeline(path);
  if (loaded.isErr()) {
    await orchestrator.shutdown();
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
  const { pipeline, compiled } = loaded.value;
  const { spec } = compiled;
  return ok({
    file: resolve(path),
    name: pipeline.id,
    pipeline,
    spec,
    tasks: pipeline.tasks.map((t) => t.id),
    // Built again with the CLI's checkpointer and --max-workers (a graph's options are fixed).
    graph: (...options) => graphFromSpec(spec, compiled, ...options),
    input: (raw) => resolvePipelineInput(pipeline, raw),
    close: () => orchestrator.shutdown(),
  });
}
