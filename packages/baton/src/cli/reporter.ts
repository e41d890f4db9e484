import type { OrchestrationError, RunEvent } from '@baton/core';
import type { Colors } from './colors.js';
import { formatDuration, preview } from './format.js';
import type { RunModel } from './run-model.js';

/** What a reporter is told when a run starts. */
export interface RunInfo {
  readonly runId: string;
  /** The pipeline's name. */
  readonly pipeline: string;
  /** Task ids in declaration order. */
  readonly tasks: readonly string[];
  /** Where the run's checkpoints are, for the user to read. */
  readonly store: string;
  readonly resumed: boolean;
  /**
   * Flags that reach the run again, appended to the `baton resume` / `baton show` hints
   * (` --temporal host:port` for a run on Temporal).
   * @default ''
   */
  readonly reach?: string;
  /**
   * A run that failed or was canceled can be continued (`baton resume`); a workflow on Temporal
   * that ended cannot.
   * @default true
   */
  readonly resumable?: boolean;
}

/** How a run ended. */
export interface RunOutcome {
  readonly status: 'succeeded' | 'failed' | 'canceled';
  readonly output?: unknown;
  readonly error?: OrchestrationError;
  /** Tasks that failed without failing the run. */
  readonly failures?: Readonly<Record<string, OrchestrationError>>;
}

/** Shows a run to the user: live on a terminal, a line per event, or NDJSON. */
export interface Reporter {
  start(info: RunInfo, model: RunModel): void;
  event(event: RunEvent, model: RunModel): void;
  /** A message for the user that is not an event (a warning, "canceling..."). */
  note(message: string): void;
  finish(outcome: RunOutcome, model: RunModel): void;
}

/** Where reporters write. */
export interface Streams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

function outputLines(output: unknown, c: Colors): string[] {
  if (output === undefined) return [];
  if (typeof output !== 'object' || output === null || Array.isArray(output))
    return [c.bold('result: ') + preview(output, 200)];
  return [
    c.bold('results:'),
    ...Object.entries(output)
      .filter(([, value]) => value !== undefined)
      .slice(0, 12)
      .map(([key, value]) => `  ${c.cyan(key)}: ${preview(value, 160)}`),
  ];
}

/** The closing lines of the TTY and plain views: status, results, where the run is stored. */
export function summaryLines(
  info: RunInfo,
  outcome: RunOutcome,
  model: RunModel,
  c: Colors,
): string[] {
  const p = model.progress();
  const took = formatDuration((model.endedAt ?? Date.now()) - model.startedAt);
  const counts = `${p.done} done, ${p.failed} failed, ${p.skipped} skipped of ${p.total}`;
  const lines: string[] = [];
  if (outcome.status === 'succeeded') {
    lines.push(`${c.green('✔ succeeded')} in ${took} · ${counts}`);
    lines.push(...outputLines(outcome.output, c));
    for (const [task, error] of Object.entries(outcome.failures ?? {}))
      lines.push(c.yellow(`  ${task} failed without failing the run: ${error.message}`));
  } else if (outcome.status === 'canceled') {
    lines.push(`${c.yellow('■ canceled')} after ${took} · ${counts}`);
  } else {
    lines.push(`${c.red('✖ failed')} after ${took} · ${counts}`);
    if (outcome.error !== undefined)
      lines.push(c.red(`  ${outcome.error.code}: ${outcome.error.message}`));
  }
  const reach = info.reach ?? '';
  lines.push(`run ${info.runId} stored in ${info.store}`);
  lines.push(
    outcome.status === 'succeeded' || info.resumable === false
      ? `details: baton show ${info.runId}${reach}`
      : `resume: baton resume ${info.runId}${reach}   details: baton show ${info.runId}${reach}`,
  );
  return lines;
}
