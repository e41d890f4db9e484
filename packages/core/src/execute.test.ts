import { context } from '@opentelemetry/api';
import { okAsync } from 'neverthrow';
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { execute } from './base-runnable.js';
import { OrchestrationError } from './errors.js';
import type { EventSink, ExecutionContext, Runnable } from './runnable.js';
import type { RunEvent, StepEvent } from './run-event.js';

/** A Runnable not built on BaseRunnable whose stream is given. */
function foreign(
  stream: (input: number) => Observable<RunEvent<number>>,
): Runnable<number, number> {
  return {
    name: 'foreign',
    invoke: (n) => okAsync(n),
    batch: () => okAsync([]),
    batchSettled: () => okAsync([]),
    stream,
  };
}

function streamedCtx(signal: AbortSignal): { ctx: ExecutionContext; events: StepEvent[] } {
  const events: StepEvent[] = [];
  const sink: EventSink = (e) => events.push(e);
  return {
    ctx: {
      signal,
      runId: 'r',
      metadata: {},
      sink,
      path: [],
      enclosing: undefined,
      otel: context.active(),
    },
    events,
  };
}

describe('execute of a non-Baton Runnable in a streamed run', () => {
  it('forwards its chunks and resolves with its run-end output', async () => {
    const r = foreign(
      (n) =>
        new Observable((s) => {
          s.next({ type: 'run-start', runId: 'x', name: 'foreign', timestamp: 0 });
          s.next({ type: 'chunk', runId: 'x', step: 'foreign', path: [], chunk: n, timestamp: 0 });
          s.next({
            type: 'run-end',
            runId: 'x',
            name: 'foreign',
            output: n + 1,
            durationMs: 0,
            timestamp: 0,
          });
          s.complete();
        }),
    );
    const { ctx, events } = streamedCtx(new AbortController().signal);
    await expect(execute(r, 1, ctx)).resolves.toBe(2);
    expect(events.map((e) => e.type)).toEqual(['chunk']);
  });

  it('rejects with its error, and with invalid_state when it completes without run-end', async () => {
    const failing = foreign(
      () => new Observable((s) => s.error(new OrchestrationError('timeout', 'slow'))),
    );
    const { ctx } = streamedCtx(new AbortController().signal);
    await expect(execute(failing, 1, ctx)).rejects.toMatchObject({ code: 'timeout' });
    const empty = foreign(() => new Observable((s) => s.complete()));
    await expect(execute(empty, 1, ctx)).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('unsubscribes from it when the run aborts', async () => {
    let unsubscribed = false;
    const endless = foreign(
      () =>
        new Observable(() => () => {
          unsubscribed = true;
        }),
    );
    const controller = new AbortController();
    const { ctx } = streamedCtx(controller.signal);
    const pending = execute(endless, 1, ctx);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'task_canceled' });
    expect(unsubscribed).toBe(true);
  });
});
