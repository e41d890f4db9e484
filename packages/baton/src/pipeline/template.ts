/**
 * Templates in parameter strings: `{task}`, `{task.field.0}`, `{input.key}` and a bare `{name}`
 * (a task's output when a task has that id, else an input). `{{` and `}}` are a literal brace.
 * Parsed once by a scanner; rendered by looking values up, one pass, never evaluated as code.
 */

/** Names that would reach an object's prototype; refused in references and keys. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** `{head.path...}` as written; `head` is `input` for an explicit input reference. */
export interface TemplateRef {
  readonly head: string;
  readonly path: readonly string[];
  /** Offset of the `{` in the string. */
  readonly offset: number;
  readonly text: string;
}

export interface TemplateProblem {
  readonly message: string;
  readonly offset: number;
}

export interface ParsedTemplate {
  /** Literal text and references, in order. */
  readonly parts: readonly (string | TemplateRef)[];
  /** The reference when the string is exactly one `{...}`: it renders to the value itself. */
  readonly whole: TemplateRef | undefined;
  readonly problems: readonly TemplateProblem[];
}

/** Parses `{head.seg.seg}` (spaces around it allowed), or says why it is not a reference. */
export function parseReference(
  raw: string,
  offset: number,
  text: string,
): TemplateRef | TemplateProblem {
  const segments = raw.trim().split('.');
  const [head = '', ...path] = segments;
  if (!NAME.test(head) || !path.every((s) => SEGMENT.test(s)))
    return {
      offset,
      message: `"${text}" is not a reference ({task}, {task.field} or {input.key}); write "{{" and "}}" for literal braces`,
    };
  const forbidden = segments.find((s) => FORBIDDEN_NAMES.has(s));
  if (forbidden !== undefined)
    return { offset, message: `"${text}" reaches "${forbidden}", which templates may not read` };
  if (head === 'input' && path.length === 0)
    return { offset, message: `"${text}" names no input; write {input.<key>}` };
  return { head, path, offset, text };
}

function isRef(value: TemplateRef | TemplateProblem): value is TemplateRef {
  return 'head' in value;
}

/** Splits a string into literal text and references, collecting every problem. */
export function parseTemplate(source: string): ParsedTemplate {
  const parts: (string | TemplateRef)[] = [];
  const problems: TemplateProblem[] = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if ((c === '{' || c === '}') && source[i + 1] === c) {
      literal += c;
      i += 2;
    } else if (c === '{') {
      const close = source.indexOf('}', i + 1);
      const open = source.indexOf('{', i + 1);
      if (close === -1 || (open !== -1 && open < close)) {
        problems.push({ offset: i, message: 'unclosed "{"; write "{{" for a literal brace' });
        literal += c;
        i += 1;
        continue;
      }
      const text = source.slice(i, close + 1);
      const ref = parseReference(source.slice(i + 1, close), i, text);
      if (isRef(ref)) {
        if (literal !== '') parts.push(literal);
        literal = '';
        parts.push(ref);
      } else problems.push(ref);
      i = close + 1;
    } else {
      literal += c;
      i += 1;
    }
  }
  if (literal !== '') parts.push(literal);
  const only = parts.length === 1 ? parts[0] : undefined;
  const whole = typeof only === 'object' && only.text === source ? only : undefined;
  return { parts, whole, problems };
}

/** Whether a string has anything a template renders (a reference or an escaped brace). */
export function mayBeTemplate(value: string): boolean {
  return value.includes('{') || value.includes('}');
}

/** A value a reference found, or why there is none. */
export type Lookup =
  | { readonly found: true; readonly value: unknown }
  | { readonly found: false; readonly reason: string };

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * `value` at `path`: own keys of plain objects and indexes of arrays only, so nothing reaches a
 * prototype, a getter of a class instance or a string's `length`.
 */
export function readPath(value: unknown, path: readonly string[], what: string): Lookup {
  let current = value;
  let at = what;
  for (const segment of path) {
    if (FORBIDDEN_NAMES.has(segment)) return { found: false, reason: `${at} has no "${segment}"` };
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      const index = Number(segment);
      if (index >= current.length)
        return { found: false, reason: `${at} has ${current.length} items; no index ${segment}` };
      current = current[index] as unknown;
    } else if (isPlainRecord(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      const kind = current === null ? 'null' : Array.isArray(current) ? 'an array' : typeof current;
      return {
        found: false,
        reason: isPlainRecord(current)
          ? `${at} has no field "${segment}"`
          : `${at} is ${kind}; it has no field "${segment}"`,
      };
    }
    at = `${at}.${segment}`;
  }
  return { found: true, value: current };
}

/** How a value reads inside a longer string: text as is, data as JSON, nothing as `''`. */
function interpolate(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  const json = JSON.stringify(value) as string | undefined;
  return json ?? '';
}

/**
 * Renders a parsed template: the whole-value reference keeps its value's type; anything else
 * is a string. Values are inserted as they are, never parsed again (one pass).
 */
export function renderTemplate(
  template: ParsedTemplate,
  resolve: (ref: TemplateRef) => Lookup,
): Lookup {
  if (template.whole !== undefined) return resolve(template.whole);
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const found = resolve(part);
    if (!found.found) return found;
    out += interpolate(found.value);
  }
  return { found: true, value: out };
}
