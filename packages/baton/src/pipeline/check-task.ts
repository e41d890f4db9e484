/**
 * The checks of one well-formed task that need the rest of the file: its action and parameters,
 * models, templates and condition. Problems are reported through `report`, each where it is.
 */
import type { ZodType } from 'zod';
import type { ActionSignature } from '../contracts.js';
import type { PipelinePath } from './parse-pipeline.js';
import type { TaskData } from './pipeline-schema.js';
import type { PipelineDiagnosticCode, PipelineLookups } from './pipeline-types.js';
import { didYouMean, refProblem, walkStrings, type RefScope } from './references.js';
import { mayBeTemplate, parseTemplate } from './template.js';
import { evaluateWhen, parseWhen, truthy, whenReferences } from './when-expression.js';

/** Reports one problem at `path` (its key with `key`, `offset` characters into a string). */
export type Report = (
  path: PipelinePath,
  code: PipelineDiagnosticCode,
  message: string,
  where?: { key?: boolean; offset?: number },
) => void;

/** Checks every template in `value` (parameters or outputs) against `scope`. */
export function checkTemplates(
  value: unknown,
  base: PipelinePath,
  scope: RefScope,
  report: Report,
): void {
  walkStrings(
    value,
    base,
    (text, path) => {
      if (!mayBeTemplate(text)) return;
      const template = parseTemplate(text);
      for (const p of template.problems) report(path, 'template', p.message, { offset: p.offset });
      for (const part of template.parts) {
        if (typeof part === 'string') continue;
        const problem = refProblem(part, scope);
        if (problem !== undefined)
          report(path, problem.code, problem.message, { offset: part.offset });
      }
    },
    (path, message, key) => report(path, 'parameters', message, { key }),
  );
}

function listOrSuggest(name: string, names: readonly string[]): string {
  if (names.length === 0) return '; none is registered';
  const hint = didYouMean(name, names);
  if (hint !== '' || names.length > 12) return hint;
  return `; registered: ${[...names].sort().join(', ')}`;
}

function isWholeTemplate(value: unknown): boolean {
  return typeof value === 'string' && parseTemplate(value).whole !== undefined;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** The action's schema over the parameters; a whole-value template is typed only at run time. */
function checkSchema(
  schema: ZodType,
  parameters: Record<string, unknown>,
  base: PipelinePath,
  report: Report,
): void {
  const parsed = schema.safeParse(parameters);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (isWholeTemplate(valueAt(parameters, path))) continue;
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys)
        report([...base, ...path, k], 'parameters', `unknown parameter "${k}"`, { key: true });
      continue;
    }
    const field = path.length === 0 ? 'parameters' : `parameter "${path.join('.')}"`;
    report(
      [...base, ...path],
      'parameters',
      `${field}: ${issue.message.replace(/^Invalid input: /, '')}`,
    );
  }
}

function checkModels(
  parameters: Record<string, unknown>,
  base: PipelinePath,
  lookups: PipelineLookups<ActionSignature>,
  report: Report,
): void {
  const { models } = lookups;
  if (models === undefined) return;
  const { model, capabilities } = parameters;
  if (typeof model === 'string' && !mayBeTemplate(model) && !models.has(model))
    report(
      [...base, 'model'],
      'unknown-model',
      `unknown model "${model}"${listOrSuggest(model, models.names())}`,
    );
  if (!Array.isArray(capabilities)) return;
  const known = new Set(models.capabilities());
  capabilities.forEach((c, i) => {
    if (typeof c === 'string' && !mayBeTemplate(c) && !known.has(c))
      report(
        [...base, 'capabilities', i],
        'unknown-model',
        `no registered model has capability "${c}"${listOrSuggest(c, [...known])}`,
      );
  });
}

/** Checks `when`; returns whether it is constant and false (the task never runs). */
function checkWhen(
  when: string | boolean,
  base: PipelinePath,
  scope: RefScope,
  report: Report,
): boolean {
  if (typeof when === 'boolean') return !when;
  const parsed = parseWhen(when);
  if (parsed.isErr()) {
    report(base, 'when', `invalid condition: ${parsed.error.message}`, {
      offset: parsed.error.offset,
    });
    return false;
  }
  const refs = whenReferences(parsed.value);
  for (const ref of refs) {
    const problem = refProblem(ref, scope);
    if (problem !== undefined) report(base, problem.code, problem.message, { offset: ref.offset });
  }
  if (refs.length > 0) return false;
  const value = evaluateWhen(parsed.value, () => ({ found: false, reason: '' }));
  if (value.isErr()) {
    report(base, 'when', `invalid condition: ${value.error}`);
    return false;
  }
  return !truthy(value.value);
}

/** Checks a well-formed task; returns whether its condition makes it never run. */
export function checkTask(
  task: TaskData,
  base: PipelinePath,
  scope: RefScope,
  lookups: PipelineLookups<ActionSignature>,
  report: Report,
): boolean {
  const action = lookups.actions.get(task.action);
  if (action === undefined)
    report(
      [...base, 'action'],
      'unknown-action',
      `unknown action "${task.action}"${listOrSuggest(task.action, lookups.actions.names())}`,
    );
  const parameters = task.parameters ?? {};
  checkTemplates(parameters, [...base, 'parameters'], scope, report);
  checkModels(parameters, [...base, 'parameters'], lookups, report);
  if (action?.schema !== undefined)
    checkSchema(action.schema, parameters, [...base, 'parameters'], report);
  return task.when === undefined ? false : checkWhen(task.when, [...base, 'when'], scope, report);
}
