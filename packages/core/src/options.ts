import { err, ok, type Result } from 'neverthrow';
import type { z } from 'zod';
import { OrchestrationError } from './errors.js';

/** Removes `readonly` so an option can set fields on the draft config. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A Go-style functional option: it sets fields on a draft copy of a config. Options never throw
 * (a throwing option becomes an `invalid_config` error); the last one wins.
 */
export type Option<C> = (draft: Mutable<C>) => void;

function formatValue(value: unknown): string {
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
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
  const draft = { ...defaults } as Mutable<C>;
  for (const [index, option] of options.entries()) {
    if (typeof option !== 'function') {
      return err(
        new OrchestrationError(
          'invalid_config',
          `${op}: option #${index + 1} is ${formatValue(option)}, expected an option function such as withX(...)`,
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
          `${op}: option #${index + 1} threw: ${String(cause)}`,
          {
            op,
            cause,
            details: { index },
          },
        ),
      );
    }
  }
  const parsed = schema.safeParse(draft);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const field = path.map(String).join('.') || '(config)';
    const value = valueAt(draft, path);
    return err(
      new OrchestrationError(
        'invalid_config',
        `${op}: invalid ${field} = ${formatValue(value)}: ${issue?.message ?? 'invalid value'}`,
        { op, details: { field, value, issues: parsed.error.issues } },
      ),
    );
  }
  // Keep values zod does not know how to clone (functions, class instances) from the draft.
  return ok(Object.freeze({ ...draft, ...parsed.data }));
}
