import { isOrchestrationError, OrchestrationError, type ErrorCode } from '@baton/core';

const CODES: Readonly<Record<string, ErrorCode>> = {
  EACCES: 'invalid_config',
  EPERM: 'invalid_config',
  EROFS: 'invalid_config',
  ENOTDIR: 'invalid_config',
  EISDIR: 'invalid_config',
  ENAMETOOLONG: 'invalid_input',
  ENOSPC: 'resource_exhausted',
  EDQUOT: 'resource_exhausted',
  EMFILE: 'resource_exhausted',
  ENFILE: 'resource_exhausted',
};

const HINTS: Readonly<Partial<Record<ErrorCode, string>>> = {
  invalid_config:
    'check the path and its permissions, or choose another directory with withDirectory(...)',
  invalid_input: 'use a shorter id',
  resource_exhausted: 'free disk space or file descriptors and retry',
};

/** Maps a Node fs error to an OrchestrationError whose message names the path. */
export function fsError(error: unknown, op: string, path: string): OrchestrationError {
  if (isOrchestrationError(error)) return error;
  const errno = (error as { code?: unknown } | undefined)?.code;
  const code = (typeof errno === 'string' ? CODES[errno] : undefined) ?? 'execution_failed';
  const reason = error instanceof Error ? error.message : String(error);
  const hint = HINTS[code];
  return new OrchestrationError(
    code,
    `${op}: cannot use ${path}: ${reason}${hint ? `; ${hint}` : ''}`,
    {
      op,
      cause: error,
      details: { path, errno },
    },
  );
}
