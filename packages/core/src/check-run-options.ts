import { OrchestrationError } from './errors.js';
import { showValue } from './show-value.js';

type Field =
  | 'signal'
  | 'timeoutMs'
  | 'runId'
  | 'metadata'
  | 'parent'
  | 'configurable'
  | 'tags'
  | 'maxConcurrency';
const RUN_FIELDS: readonly Field[] = [
  'signal',
  'timeoutMs',
  'runId',
  'metadata',
  'parent',
  'configurable',
  'tags',
];
// A batch checks what shapes the batch; each input's run checks the other fields, so
// that `batchSettled` reports those in every input's Result, as it always did.
const BATCH_FIELDS: readonly Field[] = ['signal', 'runId', 'parent', 'maxConcurrency'];

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** An AbortSignal by shape (`instanceof` fails across realms, as in Temporal's sandbox). */
function isSignal(value: unknown): boolean {
  if (!isObject(value)) return false;
  const s = value as Partial<Record<keyof AbortSignal, unknown>>;
  return (
    typeof s.aborted === 'boolean' &&
    typeof s.addEventListener === 'function' &&
    typeof s.removeEventListener === 'function'
  );
}

/** A step context by shape: a signal, and an enclosing run that is absent or an object. */
function isParent(value: unknown): boolean {
  if (!isObject(value)) return false;
  const p = value as { readonly signal?: unknown; readonly enclosing?: unknown };
  const enclosing = p.enclosing;
  return (
    isSignal(p.signal) &&
    (enclosing === undefined ||
      (isObject(enclosing) && typeof (enclosing as { called?: unknown }).called === 'boolean'))
  );
}

const EXPECTED: Readonly<Record<Field, string>> = {
  signal: 'an AbortSignal (e.g. new AbortController().signal)',
  timeoutMs: 'a number of milliseconds >= 0 (0: no timeout)',
  runId: 'a non-empty string (omit it to get a generated UUID)',
  metadata: 'an object of values',
  parent: "the ctx of the step the run is started from (a step function's second argument)",
  configurable: 'an object of values',
  tags: 'an array of strings',
  maxConcurrency: 'a positive integer or Infinity',
};

function fits(field: Field, value: unknown): boolean {
  switch (field) {
    case 'signal':
      return isSignal(value);
    case 'timeoutMs':
      return typeof value === 'number' && value >= 0;
    case 'runId':
      return typeof value === 'string' && value.trim() !== '';
    case 'metadata':
    case 'configurable':
      return isObject(value) && !Array.isArray(value);
    case 'parent':
      return isParent(value);
    case 'tags':
      return Array.isArray(value) && value.every((tag) => typeof tag === 'string');
    case 'maxConcurrency':
      return (
        value === Infinity || (typeof value === 'number' && Number.isInteger(value) && value > 0)
      );
  }
}

/**
 * Checks the options of a run (`invoke`, `stream`, a graph's `start`): returns the
 * `invalid_config` error naming the first bad field and what it expects, or `undefined` when they
 * are fine. With `batch`, checks what shapes a batch (the object, `signal`, `runId`,
 * `maxConcurrency`); each input's run then checks the rest. Never throws, also for objects whose
 * getters throw.
 *
 * @example
 * const invalid = checkRunOptions(options, this.name);
 * if (invalid) return errAsync(invalid);
 */
export function checkRunOptions(
  options: unknown,
  op: string,
  batch = false,
): OrchestrationError | undefined {
  if (options === undefined) return undefined;
  if (!isObject(options) || Array.isArray(options)) {
    return new OrchestrationError(
      'invalid_config',
      `${op}: options must be an object such as { timeoutMs: 5000 }, got ${showValue(options)}`,
      { op, details: { field: 'options' } },
    );
  }
  for (const field of batch ? BATCH_FIELDS : RUN_FIELDS) {
    let value: unknown;
    try {
      value = (options as Record<string, unknown>)[field];
      if (value === undefined || fits(field, value)) continue;
    } catch (cause) {
      return new OrchestrationError(
        'invalid_config',
        `${op}: options.${field} could not be read; pass plain options`,
        { op, cause, details: { field } },
      );
    }
    return new OrchestrationError(
      'invalid_config',
      `${op}: ${field} must be ${EXPECTED[field]}, got ${showValue(value)}`,
      { op, details: { field, value } },
    );
  }
  return batch ? unreadableField(options, op) : undefined;
}

/**
 * A batch copies its options for each input's run: a field whose getter throws would fail the
 * batch as a whole with a confusing error, so it is reported up front by name.
 */
function unreadableField(options: object, op: string): OrchestrationError | undefined {
  let field = 'options';
  try {
    for (const key of Object.keys(options)) {
      field = key;
      Reflect.get(options, key);
    }
  } catch (cause) {
    return new OrchestrationError(
      'invalid_config',
      `${op}: options.${field} could not be read; pass plain options`,
      { op, cause, details: { field } },
    );
  }
  return undefined;
}
