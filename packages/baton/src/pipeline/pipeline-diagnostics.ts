import { OrchestrationError } from '@baton/core/errors';
import type { PipelineDiagnostic } from './pipeline-types.js';

/** `file:line:col: message`, the form editors and CI annotate. */
export function formatDiagnostic(diagnostic: PipelineDiagnostic): string {
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.col}: ${diagnostic.message}`;
}

/** Sorted by position, so the report reads top to bottom. */
function sortDiagnostics(list: readonly PipelineDiagnostic[]): PipelineDiagnostic[] {
  return [...list].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** One `invalid_config` carrying every diagnostic, each on its own line of the message. */
export function diagnosticsError(
  op: string,
  file: string,
  list: readonly PipelineDiagnostic[],
): OrchestrationError {
  const sorted = sortDiagnostics(list);
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  return new OrchestrationError(
    'invalid_config',
    `${op}: ${count} in ${file}:\n${sorted.map(formatDiagnostic).join('\n')}`,
    { op, details: { file, diagnostics: sorted } },
  );
}

/**
 * The diagnostics an error from `parsePipeline`, `loadPipelineFile` or `validatePipeline`
 * carries (in `details.diagnostics`); empty for any other error.
 *
 * @example
 * validatePipeline(parsed, lookups).mapErr((e) => pipelineDiagnostics(e).map(formatDiagnostic));
 */
export function pipelineDiagnostics(error: OrchestrationError): readonly PipelineDiagnostic[] {
  const list = (error.details as { diagnostics?: unknown } | undefined)?.diagnostics;
  return Array.isArray(list) ? (list as PipelineDiagnostic[]) : [];
}
