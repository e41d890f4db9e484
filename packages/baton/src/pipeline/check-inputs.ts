import type { Report } from './check-task.js';
import type { ParsedPipeline } from './parse-pipeline.js';
import { hasInputType } from './pipeline-input.js';
import { ID_PATTERN, inputSchema, shapeDiagnostics } from './pipeline-schema.js';
import type { PipelineDiagnostic, PipelineInput } from './pipeline-types.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The declared inputs, each checked on its own (a bad one reads as `any`, so references to it do
 * not add errors of their own); undefined when `inputs` is absent or not a mapping.
 */
export function checkInputs(
  raw: unknown,
  parsed: ParsedPipeline,
  report: Report,
  out: PipelineDiagnostic[],
): Record<string, PipelineInput> | undefined {
  if (!isRecord(raw)) return undefined;
  const inputs: Record<string, PipelineInput> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!ID_PATTERN.test(name) || name === 'input')
      report(
        ['inputs', name],
        'type',
        `input name "${name}" must be an id (letters, digits, _ and -, not starting with a digit), and not "input"`,
        { key: true },
      );
    const spec = inputSchema.safeParse(value);
    if (!spec.success) {
      out.push(...shapeDiagnostics(parsed, ['inputs', name], spec.error.issues));
      inputs[name] = { type: 'any' };
      continue;
    }
    const d = spec.data;
    const input: PipelineInput =
      typeof d === 'string'
        ? { type: d }
        : {
            type: d.type ?? 'any',
            ...(isRecord(value) && Object.hasOwn(value, 'default')
              ? { default: value.default }
              : {}),
            ...(d.description === undefined ? {} : { description: d.description }),
          };
    if (Object.hasOwn(input, 'default') && !hasInputType(input.type, input.default))
      report(
        ['inputs', name, 'default'],
        'type',
        `default of input "${name}" must be of type ${input.type}`,
      );
    inputs[name] = input;
  }
  return inputs;
}
