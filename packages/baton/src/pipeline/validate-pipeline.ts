import { DEFAULT_RETRY_POLICY, OrchestrationError } from '@baton/core/errors';
import { err, ok, type Result } from 'neverthrow';
import type { ActionSignature } from '../contracts.js';
import { checkGraph, type GraphTask } from './check-graph.js';
import { checkTask, checkTemplates, type Report } from './check-task.js';
import { diagnosticAt, type ParsedPipeline } from './parse-pipeline.js';
import { diagnosticsError } from './pipeline-diagnostics.js';
import { checkInputs } from './check-inputs.js';
import {
  durationMs,
  ID_PATTERN,
  pipelineSchema,
  shapeDiagnostics,
  taskSchema,
  type TaskData,
} from './pipeline-schema.js';
import type {
  Pipeline,
  PipelineDependency,
  PipelineDiagnostic,
  PipelineLookups,
  PipelineTask,
} from './pipeline-types.js';
import { didYouMean } from './references.js';

const OP = 'validatePipeline';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toTask(t: TaskData, dependencies: PipelineDependency[]): PipelineTask {
  const { retry, cache } = t;
  const r = typeof retry === 'number' ? { retries: retry } : retry;
  return {
    id: t.id,
    name: t.name ?? t.id,
    action: t.action,
    parameters: t.parameters ?? {},
    dependencies,
    priority: t.priority ?? 2,
    ...(r === undefined
      ? {}
      : {
          retry: {
            retries: r.retries,
            delayMs:
              r.delay === undefined ? DEFAULT_RETRY_POLICY.initialDelayMs : durationMs(r.delay),
            maxDelayMs:
              r.maxDelay === undefined ? DEFAULT_RETRY_POLICY.maxDelayMs : durationMs(r.maxDelay),
            multiplier: r.multiplier ?? DEFAULT_RETRY_POLICY.multiplier,
            jitter: r.jitter ?? DEFAULT_RETRY_POLICY.jitter,
          },
        }),
    timeoutMs: t.timeout === undefined ? 0 : durationMs(t.timeout),
    ...(cache === undefined || cache === false
      ? {}
      : {
          cache:
            cache === true
              ? {}
              : {
                  ...(cache.ttl === undefined ? {} : { ttlMs: durationMs(cache.ttl) }),
                  ...(cache.namespace === undefined ? {} : { namespace: cache.namespace }),
                },
        }),
    ...(t.when === undefined ? {} : { when: String(t.when) }),
    ...(t.parent === undefined ? {} : { parent: t.parent }),
  };
}

/**
 * A task's data; for a task with shape errors (reported into `out`), the fields without errors,
 * so the rest of its checks still run.
 */
function parseTask(raw: unknown, i: number, parsed: ParsedPipeline, out: PipelineDiagnostic[]) {
  let r = taskSchema.safeParse(raw);
  if (!r.success) {
    out.push(...shapeDiagnostics(parsed, ['tasks', i], r.error.issues));
    if (!isRecord(raw)) return undefined;
    const bad = new Set(
      r.error.issues.flatMap((issue) =>
        issue.path.length > 0
          ? [String(issue.path[0])]
          : issue.code === 'unrecognized_keys'
            ? issue.keys
            : [],
      ),
    );
    r = taskSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([k]) => !bad.has(k))));
    if (!r.success) return undefined;
  }
  // zod builds records by assignment, where a `__proto__` key would vanish: keep the file's own.
  const parameters = isRecord(raw) && isRecord(raw.parameters) ? raw.parameters : r.data.parameters;
  return { data: { ...r.data, ...(parameters === undefined ? {} : { parameters }) } };
}

interface Checked {
  readonly index: number;
  readonly data: TaskData;
  readonly dependencies: PipelineDependency[];
  readonly graph: GraphTask;
}

/** Ids, dependencies and parents of the tasks; the unique well-formed ones go on. */
function checkTasks(
  rawTasks: readonly unknown[],
  parsed: ParsedPipeline,
  report: Report,
  out: PipelineDiagnostic[],
) {
  const firstIndex = new Map<string, number>();
  rawTasks.forEach((raw, i) => {
    const id = isRecord(raw) ? raw.id : undefined;
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) return;
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, i);
    else
      report(
        ['tasks', i, 'id'],
        'duplicate-id',
        `duplicate task id "${id}" (first defined at line ${parsed.locate(['tasks', first, 'id']).line})`,
      );
    if (id === 'input')
      report(
        ['tasks', i, 'id'],
        'duplicate-id',
        'task id "input" is reserved for {input.key} references; rename the task',
      );
  });
  const checked: Checked[] = [];
  rawTasks.forEach((raw, i) => {
    const r = parseTask(raw, i, parsed, out);
    if (r === undefined || firstIndex.get(r.data.id) !== i) return;
    const dependencies: PipelineDependency[] = [];
    const seen = new Set<string>();
    (r.data.dependencies ?? []).forEach((d, k) => {
      const dep =
        typeof d === 'string'
          ? { id: d, required: true }
          : { id: d.id, required: d.required ?? true };
      const path = ['tasks', i, 'dependencies', k];
      if (!firstIndex.has(dep.id))
        report(
          path,
          'unknown-dependency',
          `unknown dependency "${dep.id}"${didYouMean(dep.id, firstIndex.keys())}`,
        );
      else if (seen.has(dep.id))
        report(path, 'duplicate-id', `dependency "${dep.id}" is listed twice`);
      else dependencies.push(dep);
      seen.add(dep.id);
    });
    const { parent } = r.data;
    if (parent !== undefined && (!firstIndex.has(parent) || parent === r.data.id))
      report(
        ['tasks', i, 'parent'],
        'unknown-reference',
        parent === r.data.id
          ? 'a task cannot be its own parent'
          : `parent "${parent}" is not a task${didYouMean(parent, firstIndex.keys())}`,
      );
    checked.push({
      index: i,
      data: r.data,
      dependencies,
      graph: { id: r.data.id, dependencies: [], neverRuns: false },
    });
  });
  return { checked, taskIds: new Set(firstIndex.keys()) };
}

/**
 * Checks a parsed pipeline against the registered actions and models and reports **every**
 * problem at once: unknown keys, wrong types, duplicate ids, unknown dependencies, cycles (named),
 * unknown actions and models, parameters the action's schema refuses, templates and conditions
 * that do not parse or name unknown tasks, inputs or fields, ambiguous names, tasks that never
 * run. Fails with `invalid_config` whose `details.diagnostics` (see `pipelineDiagnostics`) lists
 * them, each printable as `file:line:col: message`.
 *
 * @example
 * parsePipeline(text, { file }).andThen((parsed) => validatePipeline(parsed, { actions, models }));
 */
export function validatePipeline(
  parsed: ParsedPipeline,
  lookups: PipelineLookups<ActionSignature>,
): Result<Pipeline, OrchestrationError> {
  const diagnostics: PipelineDiagnostic[] = [...parsed.diagnostics];
  const report: Report = (path, code, message, where) =>
    diagnostics.push(diagnosticAt(parsed, path, code, message, where));
  const top = pipelineSchema.safeParse(parsed.data);
  if (!top.success) diagnostics.push(...shapeDiagnostics(parsed, [], top.error.issues));
  const data = isRecord(parsed.data) ? parsed.data : {};
  const rawTasks = Array.isArray(data.tasks) ? (data.tasks as unknown[]) : [];
  const inputs = checkInputs(data.inputs, parsed, report, diagnostics);
  const { checked, taskIds } = checkTasks(rawTasks, parsed, report, diagnostics);
  const base = {
    taskIds,
    inputs: inputs ?? {},
    declaredInputs: inputs !== undefined || data.inputs !== undefined,
  };
  const position = new Map(checked.map((c, n) => [c.data.id, n]));
  const graph: GraphTask[] = checked.map((c) => {
    const scope = {
      ...base,
      task: { id: c.data.id, dependencies: new Set(c.dependencies.map((d) => d.id)) },
    };
    const neverRuns = checkTask(c.data, ['tasks', c.index], scope, lookups, report);
    const entries = (c.data.dependencies ?? []).map((d) => (typeof d === 'string' ? d : d.id));
    return {
      id: c.data.id,
      neverRuns,
      dependencies: c.dependencies.flatMap((d) => {
        const task = position.get(d.id);
        return task === undefined
          ? []
          : [{ task, required: d.required, entry: entries.indexOf(d.id) }];
      }),
    };
  });
  for (const p of checkGraph(graph)) {
    const { index } = checked[p.task] as Checked;
    report(
      p.entry === undefined ? ['tasks', index, 'when'] : ['tasks', index, 'dependencies', p.entry],
      p.kind,
      p.message,
    );
  }
  if (isRecord(data.outputs)) checkTemplates(data.outputs, ['outputs'], base, report);
  if (diagnostics.length > 0 || !top.success)
    return err(diagnosticsError(OP, parsed.file, diagnostics));
  const d = top.data;
  const s = d.settings ?? {};
  return ok({
    file: parsed.file,
    id: d.id,
    name: d.name ?? d.id,
    ...(d.version === undefined ? {} : { version: String(d.version) }),
    ...(d.description === undefined ? {} : { description: d.description }),
    inputs: inputs ?? {},
    declaredInputs: base.declaredInputs,
    ...(isRecord(data.outputs) ? { outputs: data.outputs } : {}),
    settings: {
      maxWorkers: s.maxWorkers ?? 5,
      timeoutMs: s.timeout === undefined ? 0 : durationMs(s.timeout),
      retries: s.retries ?? 0,
      failFast: s.failFast ?? true,
    },
    tasks: checked.map((c) => toTask(c.data, c.dependencies)),
  });
}
