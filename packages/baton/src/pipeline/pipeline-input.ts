import { OrchestrationError, showValue } from '@baton/core/errors';
import { err, ok, type Result } from 'neverthrow';
import type { Pipeline, PipelineInputType } from './pipeline-types.js';
import { FORBIDDEN_NAMES } from './template.js';

/** Whether `value` is of the declared input `type`. */
export function hasInputType(type: PipelineInputType, value: unknown): boolean {
  switch (type) {
    case 'any':
      return value !== undefined;
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The input a run of `pipeline` sees: the declared inputs checked against their types, with
 * defaults for the missing ones. Without declared inputs, any object passes as it is.
 * Fails with `invalid_input` listing every missing, mistyped or undeclared key.
 *
 * @example
 * resolvePipelineInput(pipeline, { document: 'text' }); // Ok({ document: 'text', language: 'en' })
 */
export function resolvePipelineInput(
  pipeline: Pipeline,
  input: unknown,
): Result<Readonly<Record<string, unknown>>, OrchestrationError> {
  const op = 'resolvePipelineInput';
  const given = input ?? {};
  if (!isRecord(given))
    return err(
      new OrchestrationError(
        'invalid_input',
        `${op}: pipeline "${pipeline.id}" takes an object of inputs, got ${showValue(input)}`,
        { op },
      ),
    );
  const problems: string[] = [];
  const forbidden = Object.keys(given).filter((k) => FORBIDDEN_NAMES.has(k));
  if (forbidden.length > 0) problems.push(`input keys ${forbidden.join(', ')} are not allowed`);
  if (!pipeline.declaredInputs && problems.length === 0) return ok(given);
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(pipeline.inputs)) {
    const value = Object.hasOwn(given, name) ? given[name] : undefined;
    if (value === undefined) {
      if (Object.hasOwn(spec, 'default')) out[name] = spec.default;
      else problems.push(`missing required input "${name}" (${spec.type})`);
    } else if (!hasInputType(spec.type, value))
      problems.push(
        `input "${name}" must be ${spec.type === 'integer' ? 'an' : 'a'} ${spec.type}, got ${showValue(value)}`,
      );
    else out[name] = value;
  }
  const undeclared = Object.keys(given).filter(
    (k) => pipeline.declaredInputs && !Object.hasOwn(pipeline.inputs, k) && !FORBIDDEN_NAMES.has(k),
  );
  if (undeclared.length > 0)
    problems.push(
      `undeclared input${undeclared.length > 1 ? 's' : ''} ${undeclared.map((k) => `"${k}"`).join(', ')} (declared: ${Object.keys(pipeline.inputs).join(', ') || 'none'})`,
    );
  if (problems.length > 0)
    return err(
      new OrchestrationError(
        'invalid_input',
        `${op}: pipeline "${pipeline.id}": ${problems.join('; ')}`,
        {
          op,
          details: { problems },
        },
      ),
    );
  return ok(out);
}
