import {
  DEFAULT_RETRY_POLICY,
  OrchestrationError,
  runnable,
  type GraphSpec,
  type GraphSpecEdge,
  type GraphSpecNode,
  type Router,
  type Runnable,
  type StepContext,
} from '@baton/core';
import { graphFromSpec, namedRouter } from '@baton/graph';
import { err, ok, type Result } from 'neverthrow';
import type { ActionDefinition } from '../contracts.js';
import { resolvePipelineInput } from './pipeline-input.js';
import type { Pipeline, PipelineLookups, PipelineTask } from './pipeline-types.js';
import { planValue, scopeResolver, type Render, type RunScope } from './render-plan.js';
import { mayBeTemplate, parseTemplate } from './template.js';
import { evaluateWhen, parseWhen, truthy, type WhenNode } from './when-expression.js';

const OP = 'compilePipeline';
/** The node that checks the run's input; every task depends on it. */
export const INPUT_NODE = '$input';
/** The node that collects the pipeline's outputs: the run's result. */
export const OUTPUTS_NODE = '$outputs';
/** The node that decides a task's `when`, then routes to the task or skips it. */
export const gateNode = (task: string): string => `$when:${task}`;

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

/** A gate's output: whether the task runs, and the scope it runs with. */
interface GateOutput {
  readonly run: boolean;
  readonly scope: RunScope;
}

/** The scope from a node's data-flow input: one parent's output, or a record by parent name. */
function scopeOf(input: unknown, parents: readonly string[]): RunScope {
  const record =
    parents.length === 1
      ? { [parents[0] as string]: input }
      : ((input ?? {}) as Record<string, unknown>);
  const outputs: Record<string, unknown> = {};
  for (const p of parents)
    if (p !== INPUT_NODE && Object.hasOwn(record, p) && record[p] !== undefined)
      outputs[p] = record[p];
  return { input: (record[INPUT_NODE] ?? {}) as Record<string, unknown>, outputs };
}

function failure(task: string, reason: string): OrchestrationError {
  return new OrchestrationError('invalid_input', `pipeline task "${task}": ${reason}`, {
    op: 'runPipelineTask',
    details: { task },
  });
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

function taskRunnable(
  t: PipelineTask,
  action: ActionDefinition,
  parents: readonly string[],
  gated: boolean,
  taskIds: ReadonlySet<string>,
  name: string,
) {
  const render: Render = planValue(t.parameters, 'parameters');
  return runnable(name, (input: unknown, ctx: StepContext) => {
    const scope = gated ? (input as GateOutput).scope : scopeOf(input, parents);
    const rendered = render(scopeResolver(scope, taskIds));
    if (!rendered.found) return err(failure(t.id, rendered.reason));
    const parameters = rendered.value as Record<string, unknown>;
    const checked = action.schema?.safeParse(parameters);
    if (checked !== undefined && !checked.success)
      return err(
        failure(
          t.id,
          `action "${t.action}" refuses its rendered parameters: ${checked.error.issues.map((i) => `${i.path.join('.') || '(parameters)'}: ${i.message}`).join('; ')}`,
        ),
      );
    return action.runnable.invoke({ ...scope.outputs, ...parameters }, { parent: ctx });
  });
}

function gateRunnable(
  t: PipelineTask,
  when: WhenNode,
  parents: readonly string[],
  taskIds: ReadonlySet<string>,
  name: string,
) {
  return runnable(name, (input: unknown): Result<GateOutput, OrchestrationError> => {
    const scope = scopeOf(input, parents);
    return evaluateWhen(when, scopeResolver(scope, taskIds))
      .map((value) => ({ run: truthy(value), scope }))
      .mapErr((reason) => failure(t.id, `when "${t.when ?? ''}": ${reason}`));
  });
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
  const nodes: GraphSpecNode[] = [syntheticNode(INPUT_NODE, prefix)];
  const edges: GraphSpecEdge[] = [];
  const conditionalEdges: { from: string; router: string; targets: string[] }[] = [];
  const runnables: Record<string, Runnable<never>> = {
    [prefix + INPUT_NODE]: runnable(prefix + INPUT_NODE, (input: unknown) =>
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
    const parents = [INPUT_NODE, ...t.dependencies.map((d) => d.id)];
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
    const target = when === undefined ? t.id : gateNode(t.id);
    edges.push({ from: INPUT_NODE, to: target, required: true });
    for (const d of t.dependencies) edges.push({ from: d.id, to: target, required: d.required });
    if (when !== undefined) {
      const gate = gateNode(t.id);
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
  const outParents = [INPUT_NODE, ...collected];
  nodes.push(syntheticNode(OUTPUTS_NODE, prefix, 'none_failed'));
  for (const p of outParents) edges.push({ from: p, to: OUTPUTS_NODE, required: true });
  const renderOutputs = outputs === undefined ? undefined : planValue(outputs, 'outputs');
  runnables[prefix + OUTPUTS_NODE] = runnable(prefix + OUTPUTS_NODE, (input: unknown) => {
    const scope = scopeOf(input, outParents);
    if (renderOutputs === undefined) return ok(scope.outputs);
    const rendered = renderOutputs(scopeResolver(scope, taskIds));
    return rendered.found
      ? ok(rendered.value)
      : err(
          new OrchestrationError('invalid_input', `pipeline "${pipeline.id}": ${rendered.reason}`, {
            op: 'runPipelineOutputs',
          }),
        );
  });
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
    entry: [INPUT_NODE],
    finish: [OUTPUTS_NODE],
  };
  // The graph checks the spec and gives it its fingerprint: what runs is what was checked.
  return graphFromSpec(body, { runnables, routers })
    .andThen((graph) => graph.toSpec())
    .map((spec) => ({ pipeline, spec, runnables, routers }));
}
