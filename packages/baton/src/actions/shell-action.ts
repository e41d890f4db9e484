import { OrchestrationError, runnable } from '@baton/core';
import { canceledError } from '@baton/core/authoring';
import { execFile } from 'node:child_process';
import type { ActionDefinition } from '../contracts.js';
import { SHELL, SHELL_DISABLED, shellSignature } from './builtin-signatures.js';
import { parseParameters } from './parameters.js';

/** What `shell` returns. */
export interface ShellResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `shell`: runs a program (`command`, with `args`; no shell syntax is interpreted) in the root
 * directory. Off unless enabled: then every task naming it fails validation. A non-zero exit
 * fails with `execution_failed` holding the output.
 */
export function shellAction(
  enabled: boolean,
  root: string,
  defaultTimeoutMs: number,
): ActionDefinition {
  return {
    ...shellSignature(enabled),
    runnable: runnable('shell', (parameters: Record<string, unknown>, ctx) => {
      if (!enabled)
        throw new OrchestrationError('invalid_state', `shell: ${SHELL_DISABLED}`, { op: 'shell' });
      const p = parseParameters('shell', SHELL.schema, parameters);
      return new Promise<ShellResult>((resolve, reject) => {
        execFile(
          p.command,
          p.args ?? [],
          {
            cwd: root,
            signal: ctx.signal,
            timeout: p.timeoutMs ?? defaultTimeoutMs,
            maxBuffer: 16 * 1024 * 1024,
          },
          (error, stdout, stderr) => {
            if (error === null) return resolve({ exitCode: 0, stdout, stderr });
            if (ctx.signal.aborted) return reject(canceledError('shell', ctx.signal.reason));
            const code = typeof error.code === 'number' ? error.code : undefined;
            const killed = error.killed && code === undefined;
            reject(
              new OrchestrationError(
                killed ? 'timeout' : 'execution_failed',
                killed
                  ? `shell: ${p.command} did not finish within ${p.timeoutMs ?? defaultTimeoutMs} ms`
                  : `shell: ${p.command} failed${code === undefined ? `: ${error.message}` : ` with exit code ${code}`}`,
                { op: 'shell', retryable: false, details: { exitCode: code, stdout, stderr } },
              ),
            );
          },
        );
      });
    }),
  };
}
