import { OrchestrationError, type WorkflowConfig, type WorkflowProvider } from '@baton/core';
import { showValue } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import {
  DEFAULT_TEMPORAL_WORKFLOW_CONFIG,
  resolveTemporalWorkflowConfig,
  type TemporalWorkflowConfig,
} from './temporal-workflow-options.js';
import {
  graphWorkflowFromDefinition,
  isGraphDefinition,
} from './create-temporal-graph-workflow.js';
import { temporalWorkflow, type TemporalWorkflow } from './temporal-workflow.js';

/** A workflow type name, or a workflow function (its `name` is the type). */
export type TemporalWorkflowDefinition<I = unknown, O = unknown> =
  string | ((input: I) => Promise<O>);

/** The workflow type of `definition`, or `undefined` when it names none. */
export function workflowTypeOf(definition: unknown): string | undefined {
  try {
    if (typeof definition === 'string') return definition.trim() === '' ? undefined : definition;
    if (typeof definition === 'function' && typeof definition.name === 'string') {
      return definition.name === '' ? undefined : definition.name;
    }
  } catch {
    // a Proxy: no type
  }
  return undefined;
}

function badDefinition(op: string, definition: unknown): OrchestrationError {
  return new OrchestrationError(
    'invalid_config',
    `${op}: the definition must be a workflow type name or a named workflow function, got ${showValue(definition)}`,
    { op, details: { field: 'definition' } },
  );
}

/**
 * The `temporal` workflow provider: builds a {@link TemporalWorkflow} from a workflow type name or
 * function and a config, or a graph workflow (`batonGraph`) from a Graph or GraphSpec. Temporal fields missing from the config (address, namespace, ...) take
 * their defaults; the whole config is validated again, so a hand-built config fails with
 * `invalid_config` like a bad option would.
 */
export const temporalWorkflowProvider: WorkflowProvider = Object.freeze({
  createWorkflow<I, O>(
    definition: unknown,
    config: Readonly<WorkflowConfig>,
  ): Result<TemporalWorkflow<I, O>, OrchestrationError> {
    const op = 'createWorkflow (provider "temporal")';
    if (isGraphDefinition(definition)) {
      const resolved = resolveTemporalWorkflowConfig(
        { ...DEFAULT_TEMPORAL_WORKFLOW_CONFIG, ...(config as Partial<TemporalWorkflowConfig>) },
        [],
        op,
      );
      // A graph workflow is a TemporalWorkflow<I, GraphRunResult>: the caller's O is that report.
      return resolved
        .andThen((c) => graphWorkflowFromDefinition<I, unknown>(definition, c))
        .map((workflow) => workflow as unknown as TemporalWorkflow<I, O>);
    }
    const workflowType = workflowTypeOf(definition);
    if (workflowType === undefined) return err(badDefinition(op, definition));
    const merged: Readonly<TemporalWorkflowConfig> = {
      ...DEFAULT_TEMPORAL_WORKFLOW_CONFIG,
      ...(config as Partial<TemporalWorkflowConfig>),
    };
    const resolved = resolveTemporalWorkflowConfig(merged, [], op);
    if (resolved.isErr()) return err(resolved.error);
    return ok(temporalWorkflow<I, O>(workflowType, resolved.value));
  },
});
