import { readFile } from 'node:fs/promises';
import { OrchestrationError } from '@baton/core';
import { showError } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';

function invalid(message: string): OrchestrationError {
  return new OrchestrationError('invalid_input', message, { op: 'baton run' });
}

/**
 * The run's input: the object in `--input-file` (JSON or YAML), then each `--input key=value`
 * (a string; the pipeline's declared input types convert it), the later winning.
 */
export async function readInputs(
  pairs: readonly string[],
  inputFile: string | undefined,
): Promise<Result<Record<string, unknown>, OrchestrationError>> {
  const input: Record<string, unknown> = {};
  if (inputFile !== undefined) {
    let text: string;
    try {
      text = await readFile(inputFile, 'utf8');
    } catch (cause) {
      return err(invalid(`--input-file ${inputFile}: ${showError(cause)}`));
    }
    let data: unknown;
    try {
      const { parse } = await import('yaml'); // YAML is a superset of JSON
      data = parse(text);
    } catch (cause) {
      return err(invalid(`--input-file ${inputFile}: not JSON or YAML: ${showError(cause)}`));
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      return err(invalid(`--input-file ${inputFile}: expected an object of inputs by name`));
    Object.assign(input, data);
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return err(invalid(`--input ${pair}: expected key=value`));
    input[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return ok(input);
}

/** `--max-workers`: a whole number of at least 1. */
export function parseWorkers(
  value: string | undefined,
): Result<number | undefined, OrchestrationError> {
  if (value === undefined) return ok(undefined);
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    return err(invalid(`--max-workers ${value}: expected a whole number of at least 1`));
  return ok(n);
}
