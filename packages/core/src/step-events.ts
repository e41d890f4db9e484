import type { EventSink, ExecutionContext } from './runnable.js';

/**
 * Emits `step-start` for a child of a composite. Callers check `ctx.sink` first, so nothing is
 * allocated when the run is not streamed.
 */
export function emitStepStart(
  sink: EventSink,
  runId: string,
  step: string,
  path: readonly string[],
  index?: number,
  attempt?: number,
): number {
  const timestamp = Date.now();
  sink({
    type: 'step-start',
    runId,
    step,
    path,
    timestamp,
    ...(index === undefined ? {} : { index }),
    ...(attempt === undefined ? {} : { attempt }),
  });
  return timestamp;
}

/** Emits `step-end` for a child of a composite that started at `started` (`Date.now()`). */
export function emitStepEnd(
  sink: EventSink,
  runId: string,
  step: string,
  path: readonly string[],
  output: unknown,
  started: number,
  index?: number,
): void {
  const timestamp = Date.now();
  sink({
    type: 'step-end',
    runId,
    step,
    path,
    output,
    durationMs: timestamp - started,
    timestamp,
    ...(index === undefined ? {} : { index }),
  });
}

/**
 * The path of a child step `name` of the step running with `ctx` (see `RunEvent`'s `path`).
 * Call it only under stream (`ctx.sink` set): it allocates the array once per child run, which
 * the child's events and its context (`{ ...ctx, path }`) then share.
 */
export function childPath(ctx: ExecutionContext, name: string): readonly string[] {
  const parent = ctx.path;
  return parent.length === 0 ? [name] : [...parent, name];
}

/** A context whose sink records whether any `chunk` went out, i.e. whether output started. */
export interface OutputTracker {
  readonly ctx: ExecutionContext;
  /** True once a chunk was emitted through `ctx`. */
  started(): boolean;
}

/**
 * Wraps `ctx.sink` to notice the first chunk, so that retries and fallbacks only start over
 * while no output reached the subscriber. Returns `ctx` itself when the run is not streamed.
 */
export function trackOutput(ctx: ExecutionContext): OutputTracker {
  const sink = ctx.sink;
  if (sink === undefined) return { ctx, started: () => false };
  let started = false;
  const tracked: EventSink = (event) => {
    if (event.type === 'chunk') started = true;
    sink(event);
  };
  return { ctx: { ...ctx, sink: tracked }, started: () => started };
}
