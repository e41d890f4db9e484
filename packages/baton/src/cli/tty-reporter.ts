import { createLogUpdate } from 'log-update';
import { colors } from './colors.js';
import { renderFrame } from './live-view.js';
import { summaryLines, type Reporter, type RunInfo, type Streams } from './reporter.js';
import type { RunModel } from './run-model.js';

/** Redraws a frame at this pace so running tasks' elapsed times and retry countdowns move. */
const TICK_MS = 100;

/** The live view on a terminal: tasks update in place (log-update), then the summary. */
export function createTtyReporter(streams: Streams): Reporter {
  const c = colors(true);
  const out = streams.stdout as NodeJS.WritableStream & { rows?: number };
  const log = createLogUpdate(out);
  let info: RunInfo | undefined;
  let current: RunModel | undefined;
  let timer: NodeJS.Timeout | undefined;
  let shown = '';
  const draw = (): void => {
    if (info === undefined || current === undefined) return;
    const frame = renderFrame(info, current, Date.now(), out.rows || 24, c);
    if (frame === shown) return;
    // Each frame replaces the whole previous one. log-update 7's line-diffing redraw is not used:
    // after a changed block in the middle of the frame it erases the next, unchanged line (a task
    // vanished from the final screen).
    if (shown !== '') log.clear();
    shown = frame;
    log(frame);
  };
  return {
    start(runInfo, model) {
      info = runInfo;
      current = model;
      draw();
      timer = setInterval(draw, TICK_MS);
      timer.unref();
    },
    event() {
      draw();
    },
    note(message) {
      log.clear();
      shown = '';
      streams.stderr.write(`${c.yellow(message)}\n`);
      draw();
    },
    finish(outcome, model) {
      if (timer !== undefined) clearInterval(timer);
      draw();
      log.done();
      if (info !== undefined) out.write(`${summaryLines(info, outcome, model, c).join('\n')}\n`);
    },
  };
}
