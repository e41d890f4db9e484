import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { OrchestrationError } from './errors.js';
import { showError, showValue } from './show-value.js';

/** Removes `readonly` so an option can set fields on the draft config. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A Go-style functional option: it sets fields on a draft copy of a config. Options never throw
 * (a throwing option becomes an `invalid_config` error); the last one wins.
 */
export type Option<C> = (draft: Mutable<C>) => void;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  try {
    for (const key of path) {
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<PropertyKey, unknown>)[key];
    }
  } catch {
    return undefined;
  }
  return current;
}

/**
 * Applies `options` to a copy of `defaults`, validates the result once with `schema`, freezes it.
 * An invalid field fails with `invalid_config` naming the field, its value and what is expected.
 *
 * @example
 * const config = resolveOptions({ timeoutMs: 0 }, [withTimeoutMs(5_000)], schema, 'createChain');
 */
export function resolveOptions<C extends object>(
  defaults: C,
  options: readonly Option<C>[],
  schema: z.ZodType<C>,
  op = 'options',
): Result<Readonly<C>, OrchestrationError> {
  if (!isList(options)) {
    return err(
      new OrchestrationError(
        'invalid_config',
        `${op}: options must be an array of option functions, got ${showValue(options)}`,
        { op, details: { field: 'options' } },
      ),
    );
  }
  const draft = { ...defaults } as Mutable<C>;
  for (const [index, option] of options.entries()) {
    if (typeof option !== 'function') {
      return err(
        new OrchestrationError(
          'invalid_config',
          `${op}: option #${index + 1} is ${showValue(option)}, expected an option function such as withX(...)`,
          { op, details: { index } },
        ),
      );
    }
    try {
      option(draft);
    } catch (cause) {
      return err(
        new OrchestrationError(
          'invalid_config',
          `${op}: option #${index + 1} threw: ${optionFailure(cause)}`,
          {
            op,
            cause,
            details: { index },
          },
        ),
      );
    }
  }
  let parsed: ReturnType<typeof schema.safeParse>;
  let issues: readonly z.core.$ZodIssue[];
  try {
    parsed = schema.safeParse(draft, { error: safeIssueMessage });
    issues = issuesOf(parsed);
  } catch (cause) {
    // A value whose getters throw (a Proxy) breaks a validator that looks inside it.
    const field = unreadableField(schema, draft);
    const what = field === undefined ? 'a value given to an option' : `the value of ${field}`;
    return err(
      new OrchestrationError(
        'invalid_config',
        `${op}: ${what} could not be read (${showError(cause)}); pass plain values`,
        { op, cause, details: field === undefined ? {} : { field } },
      ),
    );
  }
  if (!parsed.success) {
    const issue = issues[0];
    const path = issue?.path ?? [];
    const field = path.map(String).join('.') || '(config)';
    const value = valueAt(draft, path);
    return err(
      new OrchestrationError(
        'invalid_config',
        `${op}: invalid ${field} = ${showValue(value)}: ${issue?.message ?? 'invalid value'}`,
        { op, details: { field, value, issues } },
      ),
    );
  }
  // Keep values zod does not know how to clone (functions, class instances) from the draft.
  return ok(Object.freeze({ ...draft, ...parsed.data }));
}

/** What a throwing option threw, as `String(error)` shows an Error (`TypeError: ...`). */
function optionFailure(cause: unknown): string {
  try {
    if (cause instanceof Error) return String(cause);
  } catch {
    // a Proxy: shown below
  }
  return showError(cause);
}

/**
 * zod's default messages describe the received value, which throws for a Proxy: fall back to
 * what was expected. Messages given in a schema take precedence over this one.
 */
function safeIssueMessage(issue: z.core.$ZodRawIssue): string {
  try {
    const message = z.config().localeError?.(issue);
    if (typeof message === 'string') return message;
    if (typeof message?.message === 'string') return message.message;
  } catch {
    // fall through
  }
  return issue.code === 'invalid_type' ? `expected ${issue.expected}` : 'invalid value';
}

/** The field of an object schema whose value breaks its validator, when there is one. */
function unreadableField(schema: z.ZodType, draft: object): string | undefined {
  const shape = (schema as { shape?: unknown }).shape;
  if (typeof shape !== 'object' || shape === null) return undefined;
  for (const [key, field] of Object.entries(shape as Record<string, z.ZodType>)) {
    try {
      issuesOf(
        field.safeParse((draft as Record<string, unknown>)[key], { error: safeIssueMessage }),
      );
    } catch {
      return key;
    }
  }
  return undefined;
}

/** The issues of a parse; zod builds them when first read, which may throw as well. */
function issuesOf(parsed: { success: boolean; error?: z.ZodError }): readonly z.core.$ZodIssue[] {
  return parsed.success || parsed.error === undefined ? [] : parsed.error.issues;
}

/** `Array.isArray` without narrowing a typed list to `any[]`. */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}
