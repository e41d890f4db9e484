import { DevalueError, stringify, unflatten } from 'devalue';
import { err, ok, type Result } from 'neverthrow';
import { ERROR_CODES, OrchestrationError, type ErrorCode } from './errors.js';

/** Built-in error classes, revived as themselves; any other Error subclass is refused. */
const ERROR_CLASSES: Readonly<Record<string, ErrorConstructor>> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Stands in for a symbol so that devalue refuses it with the path (it would print "Symbol(x)"). */
class SymbolValue {
  constructor(readonly symbol: symbol) {}
}

interface StoredError {
  readonly name: string;
  readonly message: string;
  readonly props: Record<string, unknown>;
  readonly cause?: unknown;
  readonly orchestration?: {
    readonly code: ErrorCode;
    readonly op: string;
    readonly retryable: boolean;
    readonly details: Readonly<Record<string, unknown>>;
  };
}

function isKeptError(value: unknown): value is Error {
  if (!(value instanceof Error)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === OrchestrationError.prototype) return true;
  return Object.values(ERROR_CLASSES).some((ctor) => ctor.prototype === proto);
}

const OWN_ERROR_KEYS = new Set(['name', 'message', 'stack', 'cause', 'code', 'op', 'retryable']);

function reduceError(value: unknown): StoredError | false {
  if (!isKeptError(value)) return false;
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (!OWN_ERROR_KEYS.has(key) && key !== 'details')
      props[key] = (value as unknown as Record<string, unknown>)[key];
  }
  const code = (value as { code?: unknown }).code;
  if (code !== undefined && !(value instanceof OrchestrationError)) props['code'] = code;
  return {
    name: value.name,
    message: value.message,
    props,
    ...('cause' in value ? { cause: value.cause } : {}),
    ...(value instanceof OrchestrationError
      ? {
          orchestration: {
            code: value.code,
            op: value.op,
            retryable: value.retryable,
            details: value.details,
          },
        }
      : {}),
  };
}

function reviveError(stored: StoredError): Error {
  const options = 'cause' in stored ? { cause: stored.cause } : undefined;
  let error: Error;
  const o = stored.orchestration;
  if (o !== undefined && (ERROR_CODES as readonly string[]).includes(o.code)) {
    error = new OrchestrationError(o.code, stored.message, {
      op: o.op,
      retryable: o.retryable,
      details: o.details,
      ...(options ?? {}),
    });
  } else {
    const Ctor = ERROR_CLASSES[stored.name] ?? Error;
    error = new Ctor(stored.message, options);
  }
  // Errors keep their stack out of the record (it names files of the process that failed).
  delete (error as { stack?: string }).stack;
  if (error.name !== stored.name) error.name = stored.name;
  Object.assign(error, stored.props);
  return error;
}

const REDUCERS = {
  Error: reduceError,
  Symbol: (value: unknown) => typeof value === 'symbol' && new SymbolValue(value),
};

const REVIVERS = {
  Error: (value: StoredError) => reviveError(value),
  Symbol: () => undefined,
};

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value instanceof SymbolValue) return `a symbol (${String(value.symbol)})`;
  if (value instanceof Error)
    return `an error of class ${value.constructor.name} (only built-in errors and OrchestrationError are kept)`;
  if (typeof value === 'object' && value !== null) {
    const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
      ?.constructor?.name;
    return typeof ctor === 'string' && ctor !== ''
      ? `an instance of class ${ctor}`
      : 'an object with a custom prototype';
  }
  return `a ${typeof value}`;
}

/**
 * Encodes a checkpoint value (a record, an output, an input) as text with devalue: plain data
 * plus `undefined`, `NaN`, `-0`, `Map`, `Set`, `Date`, `BigInt`, `RegExp`, `URL`, typed arrays,
 * `ArrayBuffer`, sparse arrays, null-prototype objects, repeated and cyclic references, and the
 * built-in errors and `OrchestrationError` (name, message, code, cause and own fields; not the
 * stack) all come back equal from {@link decodeCheckpointValue}. Anything else (class instances,
 * functions, symbols, Error subclasses) is refused with `invalid_input` whose message and
 * `details.path` name where it is, e.g. `output.items[2]`.
 *
 * @param what - Names the value in the error, e.g. `node "fetch" output`.
 * @example
 * const text = encodeCheckpointValue({ seen: new Set([1]) }, 'output', 'myStore.saveNode');
 */
export function encodeCheckpointValue(
  value: unknown,
  what: string,
  op: string,
): Result<string, OrchestrationError> {
  try {
    return ok(stringify(value, REDUCERS));
  } catch (cause) {
    if (cause instanceof DevalueError) {
      const path = cause.path.startsWith('.') ? cause.path.slice(1) : cause.path;
      const where = path === '' ? 'the value itself' : path;
      return err(
        new OrchestrationError(
          'invalid_input',
          `${op}: ${what} cannot be stored in a checkpoint: ${where} is ${describe(cause.value)}; return plain data (objects, arrays, Map, Set, Date, BigInt, typed arrays, RegExp, URL, built-in errors) or convert it first`,
          { op, cause, retryable: false, details: { path } },
        ),
      );
    }
    return err(
      new OrchestrationError(
        'invalid_input',
        `${op}: ${what} cannot be stored in a checkpoint: reading it threw ${String(cause)}`,
        { op, cause, retryable: false, details: {} },
      ),
    );
  }
}

/**
 * Decodes text written by {@link encodeCheckpointValue}. Plain JSON objects (the records of
 * stores that predate the codec) are read as they are. Fails with `invalid_state` naming `where`
 * when the text is neither.
 */
export function decodeCheckpointValue(
  text: string,
  where: string,
  op: string,
): Result<unknown, OrchestrationError> {
  try {
    const parsed = JSON.parse(text) as unknown;
    // devalue's form is an array (or a number for undefined, NaN, ...); a record of the
    // earlier JSON form is an object.
    if (Array.isArray(parsed) || typeof parsed === 'number') {
      return ok(unflatten(parsed as number, REVIVERS) as unknown);
    }
    return ok(parsed);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return err(
      new OrchestrationError(
        'invalid_state',
        `${op}: checkpoint data at ${where} is corrupt (${reason}); repair or delete it`,
        { op, cause, details: { where } },
      ),
    );
  }
}
