/**
 * What the pipeline compiler needs from the Orchestrator's registries, and nothing more: the
 * pipeline module (`./pipeline`) validates and compiles against these lookups; the Orchestrator
 * (`./orchestrator`), the action registry (`./actions`) and the model registry (`./models`)
 * implement them.
 */
import type { Runnable } from '@baton/core';
import type { ZodType } from 'zod';

/** What validating a task needs of its action: its name and the schema of its `parameters`. */
export interface ActionSignature {
  readonly name: string;
  /** Validates a task's parameters (templates not yet rendered are strings) at validation time. */
  readonly schema?: ZodType;
  /** One line for `baton validate` and the docs. */
  readonly description?: string;
}

/** A registered action: the Runnable a task runs, and the schema of its `parameters`. */
export interface ActionDefinition extends ActionSignature {
  /** Receives the task's rendered parameters merged with its dependency outputs. */
  readonly runnable: Runnable<Record<string, unknown>>;
}

/**
 * Read-only view of an action registry. Validation reads signatures only
 * (`ActionLookup<ActionSignature>`); compiling needs the definitions.
 */
export interface ActionLookup<A extends ActionSignature = ActionDefinition> {
  get(name: string): A | undefined;
  names(): readonly string[];
}

/** Read-only view of a model registry: which models and capabilities exist. */
export interface ModelLookup {
  has(name: string): boolean;
  names(): readonly string[];
  /** Every capability at least one registered model has. */
  capabilities(): readonly string[];
}
