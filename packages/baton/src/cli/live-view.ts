import type { Colors } from './colors.js';
import { formatDuration, pad, preview, progressBar } from './format.js';
import type { RunInfo } from './reporter.js';
import type { RunModel, TaskView } from './run-model.js';

const ORDER: Record<TaskView['state'], number> = {
  failed: 0,
  retrying: 1,
  running: 2,
  pending: 3,
  done: 4,
  skipped: 5,
};

function taskLine(task: TaskView, now: number, width: number, c: Colors): string {
  const name = pad(task.id, width);
  const model = task.model === undefined ? '' : c.magenta(`  model ${task.model}`);
  const earlier = task.restored ? c.dim('  (earlier run)') : '';
  switch (task.state) {
    case 'pending':
      return c.dim(`○ ${name}  pending`);
    case 'running': {
      const elapsed = formatDuration(now - (task.startedAt ?? now));
      const attempt = task.attempt > 1 ? `  attempt ${task.attempt}` : '';
      return `${c.cyan('◐')} ${name}  ${c.cyan(`running ${elapsed}`)}${attempt}${model}`;
    }
    case 'retrying': {
      const wait = formatDuration(Math.max(0, (task.retryAt ?? now) - now));
      return `${c.yellow('↻')} ${name}  ${c.yellow(`retrying: attempt ${task.attempt} failed, attempt ${task.attempt + 1} in ${wait}`)}  ${c.dim(preview(task.message ?? '', 60))}`;
    }
    case 'done': {
      const took = task.durationMs === undefined ? '' : `  ${formatDuration(task.durationMs)}`;
      return `${c.green('✔')} ${name}  ${c.green('done')}${took}${model}${earlier}`;
    }
    case 'failed':
      return `${c.red('✖')} ${name}  ${c.red(`failed: ${preview(task.message ?? '', 80)}`)}`;
    case 'skipped':
      return (
        c.dim(
          `– ${name}  skipped${task.message === undefined ? '' : `: ${preview(task.message, 60)}`}`,
        ) + earlier
      );
  }
}

/**
 * The live view of a run, as one frame: a header with progress and ETA, then a line per task
 * (failed, retrying and running first when they do not all fit in `rows`).
 */
export function renderFrame(
  info: RunInfo,
  model: RunModel,
  now: number,
  rows: number,
  c: Colors,
): string {
  const p = model.progress();
  const eta = model.etaMs(now);
  const header = [
    `${c.bold('baton')} ${info.pipeline}  ${c.dim(`run ${info.runId}`)}${info.resumed ? c.dim(' (resumed)') : ''}`,
    `${progressBar(p.finished, p.total)} ${p.finished}/${p.total}  ${c.green(`${p.done} done`)}  ${c.cyan(`${p.running} running`)}  ${p.failed > 0 ? c.red(`${p.failed} failed`) : '0 failed'}  ${p.skipped} skipped  ${c.dim(`elapsed ${formatDuration(now - model.startedAt)}${eta === undefined ? '' : ` · eta ${formatDuration(eta)}`}`)}`,
  ];
  const tasks = [...model.tasks.values()];
  const width = Math.min(32, Math.max(...tasks.map((t) => t.id.length), 4));
  const room = Math.max(3, rows - header.length - 2);
  let shown = tasks;
  let hidden = '';
  if (tasks.length > room) {
    shown = [...tasks].sort((a, b) => ORDER[a.state] - ORDER[b.state]).slice(0, room - 1);
    const rest = tasks.length - shown.length;
    hidden = c.dim(`… ${rest} more`);
    const keep = new Set(shown);
    shown = tasks.filter((t) => keep.has(t));
  }
  const lines = shown.map((t) => taskLine(t, now, width, c));
  if (hidden !== '') lines.push(hidden);
  return [...header, ...lines].join('\n');
}
