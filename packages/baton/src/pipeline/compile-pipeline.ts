import {
  DEFAULT_RETRY_POLICY,
  OrchestrationError,
  runnable,
  type GraphSpec,
  type GraphSpecEdge,
  type GraphSpecNode,
  type Router,
  type Runnable,
} from '@baton/core';
import { graphFromSpec, namedRouter } from '@baton/graph';
import { err, type Result } from 'neverthrow';
import type { ActionDefinition } from '../contracts.js';
import { resolvePipelineInput } from './pipeline-input.js';
import type { Pipeline, PipelineLookups, PipelineTask } from './pipeline-types.js';
import { mayBeTemplate, parseTemplate } from './template.js';
import { parseWhen } from './when-expression.js';
import {
  gateRunnable,
  outputsRunnable,
  PIPELINE_INPUT_NODE,
  PIPELINE_OUTPUTS_NODE,
  pipelineGateNode,
  taskRunnable,
  type GateOutput,
} from './pipeline-runnables.js';

const OP = 'compilePipeline';
/** A pipeline as a graph: the spec, and the runnables and routers its names stand for. */
export interface CompiledPipeline {
  readonly pipeline: Pipeline;
  /** Runs in-process with `graphFromSpec(spec, compiled)`, or on Temporal with the same names. */
  readonly spec: GraphSpec;
  /** By the names the spec's nodes record. */
  readonly runnables: Readonly<Record<string, Runnable<never>>>;
  /** By the names the spec's conditional edges record. */
  readonly routers: Readonly<Record<string, Router<never>>>;
}

function taskNode(t: PipelineTask, prefix: string): GraphSpecNode {
  const r = t.retry;
  const { retryOn: _, ...policy } = DEFAULT_RETRY_POLICY;
  return {
    name: t.id,
    runnable: prefix + t.id,
    priority: t.priority,
    ...(r === undefined ? {} : { retries: r.retries }),
    retryPolicy:
      r === undefined
        ? policy
        : {
            maxAttempts: r.retries + 1,
            initialDelayMs: r.delayMs,
            maxDelayMs: r.maxDelayMs,
            multiplier: r.multiplier,
            jitter: r.jitter,
          },
    timeoutMs: t.timeoutMs,
    ...(t.cache === undefined ? {} : { cache: t.cache }),
  };
}

function syntheticNode(name: string, prefix: string, triggerRule?: string): GraphSpecNode {
  const { retryOn: _, ...policy } = DEFAULT_RETRY_POLICY;
  return {
    name,
    runnable: prefix + name,
    priority: 0,
    retries: 0,
    retryPolicy: { ...policy, maxAttempts: 1 },
    timeoutMs: 0,
    ...(triggerRule === undefined ? {} : { triggerRule }),
  };
}

/** Task ids an outputs template reads. */
function outputTasks(
  outputs: Readonly<Record<string, unknown>>,
  taskIds: ReadonlySet<string>,
): Set<string> {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string' && mayBeTemplate(v))
      for (const part of parseTemplate(v).parts)
        if (typeof part === 'object' && part.head !== 'input' && taskIds.has(part.head))
          found.add(part.head);
    if (typeof v === 'object' && v !== null) Object.values(v).forEach(visit);
  };
  visit(outputs);
  return found;
}

/**
 * Compiles a validated pipeline to a GraphSpec and the runnables and routers it names, so the same
 * pipeline runs in-process (`graphFromSpec(spec, compiled)`) or on Temporal (a worker registering
 * `runnables`). Nodes: one per task (its id), `$input` (checks the run's input, see
 * `resolvePipelineInput`), `$when:<task>` for a task with a condition (routes to the task or skips
 * it), `$outputs` (the run's result: the declared outputs, or the outputs of the tasks nothing
 * depends on, by id). A task's action receives its dependencies' outputs (by id) merged with its
 * rendered parameters; a parameter wins over a dependency of the same name.
 *
 * Fails with `not_found` when an action is not in `lookups` (validate against the same lookups).
 *
 * @example
 * compilePipeline(pipeline, lookups).andThen((c) => graphFromSpec(c.spec, c)).map((g) => g.invoke(input));
 */
export function compilePipeline(
  pipeline: Pipeline,
  lookups: PipelineLookups,
): Result<CompiledPipeline, OrchestrationError> {
  const prefix = `${pipeline.id}/`;
  const taskIds = new Set(pipeline.tasks.map((t) => t.id));
  const nodes: GraphSpecNode[] = [syntheticNode(PIPELINE_INPUT_NODE, prefix)];
  const edges: GraphSpecEdge[] = [];
  const conditionalEdges: { from: string; router: string; targets: string[] }[] = [];
  const runnables: Record<string, Runnable<never>> = {
    [prefix + PIPELINE_INPUT_NODE]: runnable(prefix + PIPELINE_INPUT_NODE, (input: unknown) =>
      resolvePipelineInput(pipeline, input),
    ),
  };
  const routers: Record<string, Router<never>> = {};
  const missing = pipeline.tasks
    .filter((t) => lookups.actions.get(t.action) === undefined)
    .map((t) => t.action);
  if (missing.length > 0)
    return err(
      new OrchestrationError(
        'not_found',
        `${OP}: no action registered as ${[...new Set(missing)].map((a) => `"${a}"`).join(', ')} (registered: ${lookups.actions.names().join(', ') || 'none'})`,
        { op: OP, details: { actions: missing } },
      ),
    );
  const hasDependents = new Set<string>();
  for (const t of pipeline.tasks) {
    const action = lookups.actions.get(t.action) as ActionDefinition;
    const parents = [PIPELINE_INPUT_NODE, ...t.dependencies.map((d) => d.id)];
    for (const d of t.dependencies) hasDependents.add(d.id);
    const parsedWhen = t.when === undefined ? undefined : parseWhen(t.when);
    if (parsedWhen?.isErr())
      return err(
        new OrchestrationError(
          'invalid_config',
          `${OP}: task "${t.id}": invalid when: ${parsedWhen.error.message}`,
          { op: OP },
        ),
      );
    const when = parsedWhen?.isOk() === true ? parsedWhen.value : undefined;
    const target = when === undefined ? t.id : pipelineGateNode(t.id);
    edges.push({ from: PIPELINE_INPUT_NODE, to: target, required: true });
    for (const d of t.dependencies) edges.push({ from: d.id, to: target, required: d.required });
    if (when !== undefined) {
      const gate = pipelineGateNode(t.id);
      nodes.push({ ...syntheticNode(gate, prefix), priority: t.priority });
      runnables[prefix + gate] = gateRunnable(t, when, parents, taskIds, prefix + gate);
      routers[prefix + gate] = namedRouter(prefix + gate, (out: GateOutput) =>
        out.run ? [t.id] : [],
      );
      conditionalEdges.push({ from: gate, router: prefix + gate, targets: [t.id] });
    }
    nodes.push(taskNode(t, prefix));
    runnables[prefix + t.id] = taskRunnable(
      t,
      action,
      parents,
      when !== undefined,
      taskIds,
      prefix + t.id,
    );
  }
  const outputs = pipeline.outputs;
  const collected =
    outputs === undefined
      ? pipeline.tasks.map((t) => t.id).filter((id) => !hasDependents.has(id))
      : [...outputTasks(outputs, taskIds)];
  const outParents = [PIPELINE_INPUT_NODE, ...collected];
  nodes.push(syntheticNode(PIPELINE_OUTPUTS_NODE, prefix, 'none_failed'));
  for (const p of outParents) edges.push({ from: p, to: PIPELINE_OUTPUTS_NODE, required: true });
  runnables[prefix + PIPELINE_OUTPUTS_NODE] = outputsRunnable(
    pipeline,
    outParents,
    taskIds,
    prefix + PIPELINE_OUTPUTS_NODE,
  );
  const body = {
    version: 1 as const,
    name: pipeline.id,
    description: pipeline.description ?? pipeline.name,
    settings: {
      timeoutMs: pipeline.settings.timeoutMs,
      retries: pipeline.settings.retries,
      maxWorkers: pipeline.settings.maxWorkers,
      parallel: true,
      queueSize: null,
      failFast: pipeline.settings.failFast,
    },
    nodes,
    edges,
    conditionalEdges,
    entry: [PIPELINE_INPUT_NODE],
    finish: [PIPELINE_OUTPUTS_NODE],
  };
  // The graph checks the spec and gives it its fingerprint: what runs is what was checked.
  return graphFromSpec(body, { runnables, routers })
    .andThen((graph) => graph.toSpec())
    .map((spec) => ({ pipeline, spec, runnables, routers }));
}
