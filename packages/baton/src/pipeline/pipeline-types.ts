/**
 * The data of a validated pipeline file and of its diagnostics. `validatePipeline` produces a
 * `Pipeline`; `compilePipeline` turns one into a GraphSpec and the runnables it names.
 */
import type { ActionDefinition, ActionLookup, ActionSignature, ModelLookup } from '../contracts.js';

/** What kind of problem a diagnostic reports (stable: tools may filter on it). */
export type PipelineDiagnosticCode =
  | 'syntax'
  | 'unknown-key'
  | 'type'
  | 'duplicate-id'
  | 'unknown-dependency'
  | 'cycle'
  | 'unknown-action'
  | 'unknown-model'
  | 'parameters'
  | 'template'
  | 'unknown-reference'
  | 'ambiguous-reference'
  | 'not-a-dependency'
  | 'when'
  | 'unreachable';

/**
 * One problem in a pipeline file, at a 1-based line and column. `formatDiagnostic` prints it as
 * `file:line:col: message` (like actionlint or tsc), which editors turn into links.
 */
export interface PipelineDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Where in the document, e.g. `tasks[2].dependencies[0]`; `''` for the document itself. */
  readonly path: string;
  readonly message: string;
  readonly code: PipelineDiagnosticCode;
}

/** The type a pipeline input is checked against. `any` accepts every JSON value. */
export type PipelineInputType =
  'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'any';

/** One declared pipeline input (`inputs:`). */
export interface PipelineInput {
  readonly type: PipelineInputType;
  /** Used when the run's input lacks the key; an input without one is required. */
  readonly default?: unknown;
  readonly description?: string;
}

/** A task's dependency on another task. */
export interface PipelineDependency {
  readonly id: string;
  /**
   * A required dependency must succeed for the task to run (its skip skips the task); an optional
   * one lets the task run without its output.
   * @default true
   */
  readonly required: boolean;
}

/** Retries of a task after its first attempt, and the backoff between attempts. */
export interface PipelineRetry {
  readonly retries: number;
  /** @default 100 */
  readonly delayMs: number;
  /** @default 10_000 */
  readonly maxDelayMs: number;
  /** @default 2 */
  readonly multiplier: number;
  /** @default 0.2 */
  readonly jitter: number;
}

/** A task's output cache. */
export interface PipelineCache {
  /** @default no expiry */
  readonly ttlMs?: number;
  /** @default `<pipeline>/<task>` */
  readonly namespace?: string;
}

/** One task of a validated pipeline. */
export interface PipelineTask {
  readonly id: string;
  /** @default the id */
  readonly name: string;
  readonly action: string;
  /** Templates are still strings; they are rendered when the task runs. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly dependencies: readonly PipelineDependency[];
  /** 0 urgent .. 3 low. @default 2 */
  readonly priority: number;
  /** @default the pipeline's `settings.retries` */
  readonly retry?: PipelineRetry;
  /** Deadline of each attempt in ms; 0 means none. @default 0 */
  readonly timeoutMs: number;
  readonly cache?: PipelineCache;
  /** The condition, as written; absent: the task always runs (when its dependencies allow). */
  readonly when?: string;
  /** Another task's id, for grouping in views only: it never orders anything. */
  readonly parent?: string;
}

/** Pipeline-wide settings (`settings:`), mapped onto the graph's. */
export interface PipelineSettings {
  /** Tasks running at once. @default 5 */
  readonly maxWorkers: number;
  /** Deadline of a whole run in ms; 0 means none. @default 0 */
  readonly timeoutMs: number;
  /** Retries of a task without its own `retry`. @default 0 */
  readonly retries: number;
  /** The first failure cancels running tasks. @default true */
  readonly failFast: boolean;
}

/** A pipeline file after validation: every name it uses exists and every template parses. */
export interface Pipeline {
  /** The file it came from (as given to `parsePipeline`). */
  readonly file: string;
  readonly id: string;
  /** @default the id */
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  /**
   * Declared inputs by name. When none are declared (`declaredInputs` false), any input key may
   * be referenced and a missing one fails the task that reads it.
   */
  readonly inputs: Readonly<Record<string, PipelineInput>>;
  readonly declaredInputs: boolean;
  /** Output name -> template; absent: the outputs of the tasks nothing depends on, by id. */
  readonly outputs?: Readonly<Record<string, unknown>>;
  readonly settings: PipelineSettings;
  readonly tasks: readonly PipelineTask[];
}

/**
 * The registries a pipeline is validated and compiled against; validation needs only the actions'
 * signatures (`PipelineLookups<ActionSignature>`).
 */
export interface PipelineLookups<A extends ActionSignature = ActionDefinition> {
  readonly actions: ActionLookup<A>;
  /** Without it, `model` and `capabilities` parameters are not checked. */
  readonly models?: ModelLookup;
}
