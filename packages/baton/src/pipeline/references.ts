/**
 * What a reference names (a task's output or an input), and whether that is allowed where it is
 * written. Shared by validation (diagnostics) and compilation (lookups at run time).
 */
import type { PipelineDiagnosticCode, PipelineInput } from './pipeline-types.js';
import { FORBIDDEN_NAMES, type TemplateRef } from './template.js';

/** What a reference reads: a task's output or an input, then `path` into it. */
export interface ResolvedRef {
  readonly kind: 'task' | 'input';
  readonly name: string;
  readonly path: readonly string[];
}

/** Bare `{name}` is a task when a task has that id, else an input; `{input.key}` is an input. */
export function resolveRef(ref: TemplateRef, taskIds: ReadonlySet<string>): ResolvedRef {
  if (ref.head === 'input')
    return { kind: 'input', name: ref.path[0] as string, path: ref.path.slice(1) };
  return { kind: taskIds.has(ref.head) ? 'task' : 'input', name: ref.head, path: ref.path };
}

/** What references are checked against. */
export interface RefScope {
  readonly taskIds: ReadonlySet<string>;
  readonly inputs: Readonly<Record<string, PipelineInput>>;
  readonly declaredInputs: boolean;
  /** The task the reference is written in and its dependencies; absent for `outputs`. */
  readonly task?: { readonly id: string; readonly dependencies: ReadonlySet<string> };
}

export interface RefProblem {
  readonly code: PipelineDiagnosticCode;
  readonly message: string;
}

const SCALARS: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean']);

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row.push(
        Math.min(
          (prev[j] as number) + 1,
          (row[j - 1] as number) + 1,
          (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
        ),
      );
    prev = row;
  }
  return prev[b.length] as number;
}

/** `; did you mean "x"?` for the closest name within a third of its length, else `''`. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  // Within a third of the name's length, and never the whole name (`c` is not a typo of `a`).
  let bestDistance = Math.min(Math.max(1, Math.floor(name.length / 3)), name.length - 1) + 1;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) >= bestDistance) continue;
    const d = distance(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best === undefined ? '' : `; did you mean "${best}"?`;
}

function inputProblem(ref: TemplateRef, r: ResolvedRef, scope: RefScope): RefProblem | undefined {
  const declared = Object.hasOwn(scope.inputs, r.name) ? scope.inputs[r.name] : undefined;
  if (declared === undefined) {
    if (!scope.declaredInputs) return undefined;
    const what = ref.head === 'input' ? 'input' : 'task or input';
    const names = [...Object.keys(scope.inputs), ...(ref.head === 'input' ? [] : scope.taskIds)];
    return {
      code: 'unknown-reference',
      message: `${ref.text} names an unknown ${what} "${r.name}"${didYouMean(r.name, names)}`,
    };
  }
  if (r.path.length > 0 && SCALARS.has(declared.type))
    return {
      code: 'unknown-reference',
      message: `${ref.text}: input "${r.name}" is a ${declared.type}; it has no field "${r.path[0] ?? ''}"`,
    };
  return undefined;
}

/** Why `ref` may not be written where `scope` says, or undefined when it may. */
export function refProblem(ref: TemplateRef, scope: RefScope): RefProblem | undefined {
  const r = resolveRef(ref, scope.taskIds);
  if (r.kind === 'input') return inputProblem(ref, r, scope);
  if (scope.declaredInputs && ref.head !== 'input' && Object.hasOwn(scope.inputs, ref.head))
    return {
      code: 'ambiguous-reference',
      message: `${ref.text} is ambiguous: "${ref.head}" is both a task and an input; write {input.${ref.head}} for the input or rename one`,
    };
  const { task } = scope;
  if (task === undefined || task.dependencies.has(r.name)) return undefined;
  if (task.id === r.name)
    return {
      code: 'not-a-dependency',
      message: `${ref.text}: task "${task.id}" cannot read its own output`,
    };
  return {
    code: 'not-a-dependency',
    message: `${ref.text} reads task "${r.name}", which "${task.id}" does not depend on; add "${r.name}" to its dependencies`,
  };
}

/** Deepest nesting of parameter values: deeper data is rejected, not rendered. */
const MAX_PARAMETER_DEPTH = 64;

/** Calls `visit` for every string in `value` with its path; reports forbidden keys and depth. */
export function walkStrings(
  value: unknown,
  path: readonly (string | number)[],
  visit: (text: string, path: readonly (string | number)[]) => void,
  problem: (path: readonly (string | number)[], message: string, key: boolean) => void,
  depth = 0,
): void {
  if (typeof value === 'string') return visit(value, path);
  if (typeof value !== 'object' || value === null) return;
  if (depth >= MAX_PARAMETER_DEPTH) {
    problem(path, `nested deeper than ${MAX_PARAMETER_DEPTH} levels`, false);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walkStrings(item, [...path, i], visit, problem, depth + 1));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (FORBIDDEN_NAMES.has(key))
      problem(
        [...path, key],
        `key "${key}" is not allowed (it would reach an object's prototype)`,
        true,
      );
    else walkStrings(item, [...path, key], visit, problem, depth + 1);
  }
}
