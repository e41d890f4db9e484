/**
 * The runnables a compiled pipeline's nodes run, and the names of the nodes a pipeline adds to
 * its tasks. Each reads its scope (the run's input and its dependencies' outputs) from the
 * data-flow input the graph gives it.
 */
import { OrchestrationError, runnable, type StepContext } from '@baton/core';
import { err, ok, type Result } from 'neverthrow';
import type { ActionDefinition } from '../contracts.js';
import type { Pipeline, PipelineTask } from './pipeline-types.js';
import { planValue, scopeResolver, type Render, type RunScope } from './render-plan.js';
import { evaluateWhen, truthy, type WhenNode } from './when-expression.js';
import { runAction } from '../internal/run-action.js';

/** The graph node that checks a run's input (`resolvePipelineInput`); every task depends on it. */
export const PIPELINE_INPUT_NODE = '$input';
/** The graph node that collects a pipeline's outputs: the run's result. */
export const PIPELINE_OUTPUTS_NODE = '$outputs';
/** The graph node that decides a task's `when`, then routes to the task or skips it. */
export const pipelineGateNode = (task: string): string => `$when:${task}`;

/** A gate's output: whether the task runs, and the scope it runs with. */
export interface GateOutput {
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
    if (p !== PIPELINE_INPUT_NODE && Object.hasOwn(record, p) && record[p] !== undefined)
      outputs[p] = record[p];
  return { input: (record[PIPELINE_INPUT_NODE] ?? {}) as Record<string, unknown>, outputs };
}

function failure(task: string, reason: string): OrchestrationError {
  return new OrchestrationError('invalid_input', `pipeline task "${task}": ${reason}`, {
    op: 'runPipelineTask',
    details: { task },
  });
}

export function taskRunnable(
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
    return runAction(action, { ...scope.outputs, ...parameters }, ctx);
  });
}

export function gateRunnable(
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

/** The `$outputs` runnable: the declared outputs rendered, or the collected tasks' outputs by id. */
export function outputsRunnable(
  pipeline: Pipeline,
  parents: readonly string[],
  taskIds: ReadonlySet<string>,
  name: string,
) {
  const render =
    pipeline.outputs === undefined ? undefined : planValue(pipeline.outputs, 'outputs');
  return runnable(name, (input: unknown) => {
    const scope = scopeOf(input, parents);
    if (render === undefined) return ok(scope.outputs);
    const rendered = render(scopeResolver(scope, taskIds));
    return rendered.found
      ? ok(rendered.value)
      : err(
          new OrchestrationError('invalid_input', `pipeline "${pipeline.id}": ${rendered.reason}`, {
            op: 'runPipelineOutputs',
          }),
        );
  });
}
