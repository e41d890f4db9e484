/**
 * The shape of a pipeline file as zod schemas, and zod issues turned into diagnostics. Each
 * schema's `error` is what the value must be; `shapeDiagnostics` adds the field and what it got.
 */
import { showValue } from '@baton/core/errors';
// A namespace import, not `{ z }`: the validate bundle then keeps only the zod it uses.
import * as z from 'zod';
import {
  diagnosticAt,
  showPath,
  type ParsedPipeline,
  type PipelinePath,
} from './parse-pipeline.js';
import type { PipelineDiagnostic } from './pipeline-types.js';

/** Task and input names: usable in templates and conditions, never a synthetic node's `$`. */
export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration in ms from `1500` or `'1.5s'` (`ms`, `s`, `m`, `h`). */
export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = DURATION.exec(value.trim()) as RegExpExecArray;
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

const must = (what: string) => ({ error: what });
const DURATION_MESSAGE = must(
  'a duration: milliseconds or a string like "30s", "500ms", "5m", "1h"',
);
const id = z
  .string(must('an id (letters, digits, _ and -, not starting with a digit)'))
  .regex(ID_PATTERN, must('an id (letters, digits, _ and -, not starting with a digit)'));
const text = z.string(must('a string'));
const count = z
  .number(must('a whole number >= 0'))
  .int(must('a whole number >= 0'))
  .min(0, must('a whole number >= 0'));
const duration = z.union(
  [
    z.number().min(0, DURATION_MESSAGE).max(2_147_483_647, DURATION_MESSAGE),
    z.string().regex(DURATION, DURATION_MESSAGE),
  ],
  DURATION_MESSAGE,
);

const dependency = z.union(
  [id, z.strictObject({ id, required: z.boolean(must('true or false')).optional() })],
  must('a task id or { id, required }'),
);

const retry = z.union(
  [
    count,
    z.strictObject({
      retries: count,
      delay: duration.optional(),
      maxDelay: duration.optional(),
      multiplier: z.number(must('a number >= 1')).min(1, must('a number >= 1')).optional(),
      jitter: z
        .number(must('a number from 0 to 1'))
        .min(0, must('a number from 0 to 1'))
        .max(1, must('a number from 0 to 1'))
        .optional(),
    }),
  ],
  must('a number of retries or { retries, delay, maxDelay, multiplier, jitter }'),
);

const cache = z.union(
  [z.boolean(), z.strictObject({ ttl: duration.optional(), namespace: text.optional() })],
  must('true, false or { ttl, namespace }'),
);

const record = z.record(z.string(), z.unknown(), must('a mapping of names to values'));

export const taskSchema = z.strictObject(
  {
    id,
    name: text.optional(),
    description: text.optional(),
    action: z
      .string(must('the name of a registered action'))
      .min(1, must('the name of a registered action')),
    parameters: record.optional(),
    dependencies: z.array(dependency, must('a list of task ids')).optional(),
    priority: z
      .number(must('a whole number from 0 (urgent) to 3 (low)'))
      .int(must('a whole number from 0 (urgent) to 3 (low)'))
      .min(0, must('a whole number from 0 (urgent) to 3 (low)'))
      .max(3, must('a whole number from 0 (urgent) to 3 (low)'))
      .optional(),
    retry: retry.optional(),
    timeout: duration.optional(),
    cache: cache.optional(),
    when: z
      .union([z.string(), z.boolean()], must('a condition (a string) or true/false'))
      .optional(),
    parent: id.optional(),
  },
  must('a task: a mapping with id and action'),
);
export type TaskData = z.output<typeof taskSchema>;

const inputType = z.enum(
  ['string', 'number', 'integer', 'boolean', 'array', 'object', 'any'],
  must('one of string, number, integer, boolean, array, object, any'),
);
export const inputSchema = z.union(
  [
    inputType,
    z.strictObject({
      type: inputType.optional(),
      default: z.unknown().optional(),
      description: text.optional(),
    }),
  ],
  must('a type name or { type, default, description }'),
);

const settingsSchema = z.strictObject(
  {
    maxWorkers: z
      .number(must('a whole number >= 1'))
      .int(must('a whole number >= 1'))
      .min(1, must('a whole number >= 1'))
      .optional(),
    timeout: duration.optional(),
    retries: count.optional(),
    failFast: z.boolean(must('true or false')).optional(),
  },
  must('a mapping of settings'),
);

/** The document with its tasks unchecked: each task is checked alone, so one bad task does not hide the others. */
export const pipelineSchema = z.strictObject(
  {
    id,
    name: text.optional(),
    version: z.union([z.string(), z.number()], must('a string or a number')).optional(),
    description: text.optional(),
    inputs: z.record(z.string(), z.unknown(), must('a mapping of input names to types')).optional(),
    outputs: record.optional(),
    settings: settingsSchema.optional(),
    tasks: z
      .array(z.unknown(), must('a list of tasks'))
      .min(1, must('a list of at least one task')),
  },
  must('a mapping with id and tasks'),
);

const SECTIONS: readonly [RegExp, string, readonly string[]][] = [
  [/^$/, 'pipeline', Object.keys(pipelineSchema.shape)],
  [/^tasks\.\d+$/, 'task', Object.keys(taskSchema.shape)],
  [/^settings$/, 'settings', Object.keys(settingsSchema.shape)],
  [/^tasks\.\d+\.retry$/, 'retry', ['retries', 'delay', 'maxDelay', 'multiplier', 'jitter']],
  [/^tasks\.\d+\.cache$/, 'cache', ['ttl', 'namespace']],
  [/^tasks\.\d+\.dependencies\.\d+$/, 'dependency', ['id', 'required']],
  [/^inputs\.[^.]+$/, 'input', ['type', 'default', 'description']],
];

function valueAt(data: unknown, path: PipelinePath): unknown {
  let v = data;
  for (const k of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

type Issue = z.core.$ZodIssue;

function unionBranch(
  issue: Issue & { code: 'invalid_union' },
  value: unknown,
): Issue[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return issue.errors.find((branch) =>
    branch.some((i) => i.path.length > 0 || i.code !== 'invalid_type'),
  );
}

/** Diagnostics for zod `issues` of the value at `base` (every issue, each where it points). */
export function shapeDiagnostics(
  parsed: ParsedPipeline,
  base: PipelinePath,
  issues: readonly Issue[],
): PipelineDiagnostic[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...(issue.path as (string | number)[])];
    const value = valueAt(parsed.data, path);
    if (issue.code === 'invalid_union') {
      const branch = unionBranch(issue, value);
      if (branch !== undefined) return shapeDiagnostics(parsed, path, branch);
    }
    if (issue.code === 'unrecognized_keys') {
      const key = path.join('.');
      const [, section, known] = SECTIONS.find(([re]) => re.test(key)) ?? [
        undefined,
        'mapping',
        [] as readonly string[],
      ];
      return issue.keys.map((k) =>
        diagnosticAt(
          parsed,
          [...path, k],
          'unknown-key',
          `unknown key "${k}" in ${section}${known.length > 0 ? `; expected one of ${known.join(', ')}` : ''}`,
          { key: true },
        ),
      );
    }
    const last = path[path.length - 1];
    const field =
      last === undefined
        ? 'the document'
        : `"${typeof last === 'number' ? showPath(path.slice(-2)) : last}"`;
    if (value === undefined && path.length > 0)
      return [
        diagnosticAt(
          parsed,
          path,
          'type',
          `missing required key ${field}: expected ${issue.message}`,
        ),
      ];
    return [
      diagnosticAt(
        parsed,
        path,
        'type',
        `${field} must be ${issue.message}, got ${showValue(value)}`,
      ),
    ];
  });
}
