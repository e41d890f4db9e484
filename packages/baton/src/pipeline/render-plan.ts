/**
 * Parameters and outputs compiled once into render functions: literal data is copied, templates
 * are parsed once and rendered on every run from the run's scope (the input and the outputs of
 * the task's dependencies).
 */
import { resolveRef } from './references.js';
import {
  mayBeTemplate,
  parseTemplate,
  readPath,
  renderTemplate,
  type Lookup,
  type TemplateRef,
} from './template.js';

/** What a task's templates can read in one run. */
export interface RunScope {
  readonly input: Readonly<Record<string, unknown>>;
  /** Outputs of the dependencies that ran, by task id. */
  readonly outputs: Readonly<Record<string, unknown>>;
}

export type Resolve = (ref: TemplateRef) => Lookup;
export type Render = (resolve: Resolve) => Lookup;

/**
 * Looks references up in `scope`. A dependency that did not run (an optional one that failed or
 * was skipped) reads as `null`; a missing input or field is an error naming it.
 */
export function scopeResolver(scope: RunScope, taskIds: ReadonlySet<string>): Resolve {
  return (ref) => {
    const r = resolveRef(ref, taskIds);
    let found: Lookup;
    if (r.kind === 'task') {
      if (!Object.hasOwn(scope.outputs, r.name)) return { found: true, value: null };
      found = readPath(scope.outputs[r.name], r.path, `the output of "${r.name}"`);
    } else if (!Object.hasOwn(scope.input, r.name))
      found = { found: false, reason: `input "${r.name}" is missing; pass it in the run's input` };
    else found = readPath(scope.input[r.name], r.path, `input "${r.name}"`);
    return found.found ? found : { found: false, reason: `${ref.text}: ${found.reason}` };
  };
}

function fail(label: string, found: Lookup & { found: false }): Lookup {
  return { found: false, reason: `${label}: ${found.reason}` };
}

/** A render function for `value`; `label` names it in errors (`parameters.prompt`). */
export function planValue(value: unknown, label: string): Render {
  if (typeof value === 'string') {
    if (!mayBeTemplate(value)) return () => ({ found: true, value });
    const template = parseTemplate(value);
    return (resolve) => {
      let found: Lookup;
      try {
        found = renderTemplate(template, resolve);
      } catch {
        found = {
          found: false,
          reason: 'a value it reads cannot be written as text (a cycle or a BigInt)',
        };
      }
      return found.found ? found : fail(label, found);
    };
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => planValue(item, `${label}[${i}]`));
    return (resolve) => {
      const out: unknown[] = [];
      for (const item of items) {
        const found = item(resolve);
        if (!found.found) return found;
        out.push(found.value);
      }
      return { found: true, value: out };
    };
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(
      ([k, v]) => [k, planValue(v, `${label}.${k}`)] as const,
    );
    return (resolve) => {
      const out: [string, unknown][] = [];
      for (const [key, render] of entries) {
        const found = render(resolve);
        if (!found.found) return found;
        out.push([key, found.value]);
      }
      // fromEntries defines own properties: no key can set a prototype.
      return { found: true, value: Object.fromEntries(out) };
    };
  }
  return () => ({ found: true, value });
}
