import {
  OrchestrationError,
  toOrchestrationError,
  type Memory,
  type MemoryValues,
  isResult,
} from '@baton/core';
import { raceAbort, type ExecutionContext } from '@baton/core/authoring';
import type { Result } from 'neverthrow';

/** A plain object of values (what memory and key declarations work on). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

/** Calls a memory method, mapping a throw, an Err and an abort to one rejected error. */
async function callMemory<T>(
  op: string,
  ctx: ExecutionContext,
  call: () => PromiseLike<Result<T, OrchestrationError>>,
): Promise<T> {
  let result: unknown;
  try {
    result = await raceAbort(Promise.resolve(call()), ctx.signal, op);
  } catch (error) {
    throw toOrchestrationError(error, op);
  }
  if (!isResult<T, OrchestrationError>(result)) {
    throw new OrchestrationError(
      'invalid_state',
      `${op} must return a ResultAsync (a promise of a neverthrow Result), got ${typeof result}`,
      { op, retryable: false },
    );
  }
  if (result.isErr()) throw toOrchestrationError(result.error, op);
  return result.value;
}

/**
 * The error of a failed memory call: `dependency_failed`, except that a cancellation or timeout
 * of the run keeps its code. `output` (after a save) is kept in `details.output`. Idempotent.
 */
export function memoryError(
  chain: string,
  phase: 'load' | 'save',
  cause: unknown,
  output?: { value: unknown },
): OrchestrationError {
  const op = `${chain}.memory.${phase}`;
  const inner = toOrchestrationError(cause, op);
  if (inner.op === op && inner.details['phase'] === phase) return inner;
  const code =
    inner.code === 'task_canceled' || inner.code === 'timeout' ? inner.code : 'dependency_failed';
  const kept = output === undefined ? '' : "; the chain's output is in error.details.output";
  return new OrchestrationError(
    code,
    `chain "${chain}": memory ${phase} failed: ${inner.message}${kept}`,
    {
      op,
      cause: inner,
      retryable: inner.retryable,
      details: { phase, ...(output === undefined ? {} : { output: output.value }) },
    },
  );
}

/** Loads memory for `input` and merges it under the input (the input wins). */
export async function loadMemory(
  chain: string,
  memory: Memory,
  input: unknown,
  ctx: ExecutionContext,
): Promise<Record<string, unknown>> {
  if (!isRecord(input)) {
    throw new OrchestrationError(
      'invalid_input',
      `chain "${chain}" has memory, so its input must be an object of values; got ${kindOf(input)}`,
      { op: chain, details: { field: 'input' } },
    );
  }
  const values = readInput(chain, input);
  try {
    const loaded = await callMemory(`${chain}.memory.load`, ctx, () => memory.load(values));
    return { ...loaded, ...values };
  } catch (error) {
    throw memoryError(chain, 'load', error);
  }
}

/** A plain copy of the input, read once; an input whose getters throw is `invalid_input`. */
function readInput(chain: string, input: Record<string, unknown>): Record<string, unknown> {
  try {
    return { ...input };
  } catch (cause) {
    throw new OrchestrationError(
      'invalid_input',
      `chain "${chain}": its input could not be read (reading a property threw); pass a plain object`,
      { op: chain, cause, details: { field: 'input' } },
    );
  }
}

/** Saves the exchange; a failure keeps `output` in the error's details. */
export async function saveMemory(
  chain: string,
  memory: Memory,
  input: MemoryValues,
  output: unknown,
  ctx: ExecutionContext,
): Promise<void> {
  const outputs: MemoryValues = isRecord(output) ? output : { output };
  try {
    await callMemory(`${chain}.memory.save`, ctx, () => memory.save(input, outputs));
  } catch (error) {
    throw memoryError(chain, 'save', error, { value: output });
  }
}

/** Fails with `invalid_input` naming the first declared key the input lacks. */
export function checkInputKeys(chain: string, keys: readonly string[], input: unknown): void {
  if (!isRecord(input)) {
    throw new OrchestrationError(
      'invalid_input',
      `chain "${chain}" declares input keys (${keys.join(', ')}), so its input must be an object; got ${kindOf(input)}`,
      { op: chain, details: { field: 'input', inputKeys: keys } },
    );
  }
  for (const key of keys) {
    if (!has(input, key, chain, 'input', 'invalid_input')) {
      throw new OrchestrationError(
        'invalid_input',
        `chain "${chain}": input is missing key "${key}" (declared with withChainInputKeys); got keys: ${keysOf(input)}`,
        { op: chain, details: { field: key, inputKeys: keys } },
      );
    }
  }
}

/** Picks `keys` from the last step's output; a missing key fails with `execution_failed`. */
export function pickOutputKeys(
  chain: string,
  keys: readonly string[],
  output: unknown,
): Record<string, unknown> {
  if (!isRecord(output)) {
    throw new OrchestrationError(
      'execution_failed',
      `chain "${chain}" declares output keys (${keys.join(', ')}), but its last step returned ${kindOf(output)}, not an object`,
      { op: chain, retryable: false, details: { outputKeys: keys, output } },
    );
  }
  const picked: Record<string, unknown> = {};
  for (const key of keys) {
    if (!has(output, key, chain, "the last step's output", 'execution_failed')) {
      throw new OrchestrationError(
        'execution_failed',
        `chain "${chain}": the last step's output lacks key "${key}" (declared with withChainOutputKeys); got keys: ${keysOf(output)}`,
        { op: chain, retryable: false, details: { field: key, outputKeys: keys, output } },
      );
    }
    picked[key] = read(output, key, chain);
  }
  return picked;
}

function keysOf(value: object): string {
  try {
    return Object.keys(value).join(', ') || '(none)';
  } catch {
    return '(unreadable)';
  }
}

/** `key in value`, or the error naming `what` when asking throws (a Proxy). */
function has(
  value: Record<string, unknown>,
  key: string,
  chain: string,
  what: string,
  code: 'invalid_input' | 'execution_failed',
): boolean {
  try {
    return key in value;
  } catch (cause) {
    throw new OrchestrationError(
      code,
      `chain "${chain}": ${what} could not be read for key "${key}" (it threw); return or pass a plain object`,
      { op: chain, cause, retryable: false, details: { field: key } },
    );
  }
}

function read(output: Record<string, unknown>, key: string, chain: string): unknown {
  try {
    return output[key];
  } catch (cause) {
    throw new OrchestrationError(
      'execution_failed',
      `chain "${chain}": the last step's output key "${key}" could not be read (its getter threw)`,
      { op: chain, cause, retryable: false, details: { field: key } },
    );
  }
}
