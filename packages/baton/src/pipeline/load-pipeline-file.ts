import { readFile } from 'node:fs/promises';
import { OrchestrationError, showError } from '@baton/core/errors';
import { errAsync, ResultAsync } from 'neverthrow';
import { parsePipeline, type ParsedPipeline } from './parse-pipeline.js';

/**
 * Reads and parses a pipeline file (YAML or JSON). Fails with `not_found` when the file cannot
 * be read, and as `parsePipeline` does for its syntax; validate the result with
 * `validatePipeline`.
 *
 * @example
 * loadPipelineFile('pipeline.yaml').andThen((parsed) => validatePipeline(parsed, lookups));
 */
export function loadPipelineFile(path: string): ResultAsync<ParsedPipeline, OrchestrationError> {
  const op = 'loadPipelineFile';
  return ResultAsync.fromPromise(
    readFile(path, 'utf8'),
    (cause) =>
      new OrchestrationError(
        'not_found',
        `${op}: cannot read pipeline file ${path}: ${showError(cause)}`,
        {
          op,
          cause,
          details: { file: path },
        },
      ),
  ).andThen((text) => {
    const parsed = parsePipeline(text, { file: path });
    return parsed.isOk()
      ? ResultAsync.fromSafePromise(Promise.resolve(parsed.value))
      : errAsync(parsed.error);
  });
}
