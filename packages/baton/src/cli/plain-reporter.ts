import type { RunEvent } from '@baton/core';
import { colors } from './colors.js';
import { formatDuration, preview } from './format.js';
import { summaryLines, type Reporter, type RunInfo, type Streams } from './reporter.js';
import { runFailures, type RunModel } from './run-model.js';

function describe(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'run-start':
    case 'run-end':
    case 'chunk':
      return undefined;
    case 'step-start':
      return `start   ${event.step}${(event.attempt ?? 1) > 1 ? ` attempt ${event.attempt}` : ''}`;
    case 'step-end':
      return `done    ${event.step} in ${formatDuration(event.durationMs)}`;
    case 'step-retry':
      return `retry   ${event.step} attempt ${event.attempt} failed (${preview(event.error.message, 80)}); attempt ${event.attempt + 1} in ${formatDuration(event.delayMs)}`;
    case 'step-skip':
      return `skip    ${event.step}`;
    case 'step-error':
      return `fail    ${event.step}: ${event.error.code}: ${preview(event.error.message, 160)}`;
    case 'step-interrupt':
      return `ask     ${event.step} (${event.key}): ${preview(JSON.stringify(event.payload) ?? '', 120)}`;
  }
}

/** Not a terminal (CI, pipes): one plain line per event, no colours or control codes. */
export function createPlainReporter(streams: Streams): Reporter {
  const c = colors(false);
  const write = (line: string): void => void streams.stdout.write(`${line}\n`);
  let info: RunInfo | undefined;
  // A failure the run's closing error repeats (its details name every failure) is printed once.
  const failed = new Set<string>();
  const stamp = (model: RunModel): string =>
    `[${formatDuration(Date.now() - model.startedAt).padStart(6)}]`;
  return {
    start(runInfo, model) {
      info = runInfo;
      const restored = [...model.tasks.values()].filter((t) => t.restored).length;
      write(
        `run ${runInfo.runId} ${runInfo.pipeline}: ${runInfo.tasks.length} tasks${runInfo.resumed ? `, resumed (${restored} finished earlier)` : ''}`,
      );
    },
    event(event, model) {
      // Only the pipeline's tasks: not steps nested in them, nor the compiler's `$` nodes.
      if (event.type === 'run-start' || event.type === 'run-end') return;
      if (event.type === 'step-error' && event.path.length === 0) {
        for (const [id, failure] of runFailures(event.error))
          if (model.tasks.has(id) && !failed.has(id))
            write(
              `${stamp(model)} fail    ${id}: ${failure.code}: ${preview(failure.message, 160)}`,
            );
        return;
      }
      if (event.path.length !== 1 || !model.tasks.has(event.step)) return;
      const text = describe(event);
      if (text === undefined) return;
      if (event.type === 'step-error') failed.add(event.step);
      const p = model.progress();
      const task = model.tasks.get(event.step);
      const by =
        task?.model !== undefined && event.type === 'step-end' ? ` (model ${task.model})` : '';
      const why =
        event.type === 'step-skip' ? `: ${preview(task?.message ?? event.reason, 100)}` : '';
      write(`${stamp(model)} ${text}${by}${why}  ${p.finished}/${p.total}`);
    },
    note(message) {
      streams.stderr.write(`${message}\n`);
    },
    finish(outcome, model) {
      if (info !== undefined) write(summaryLines(info, outcome, model, c).join('\n'));
    },
  };
}
