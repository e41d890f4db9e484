import { err, ok, okAsync, type ResultAsync } from 'neverthrow';
import { firstValueFrom, Observable, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { execute } from './base-runnable.js';
import { OrchestrationError } from './errors.js';
import { NEVER_SIGNAL } from './abort.js';
import { runnable } from './runnable-fn.js';
import type { ExecutionContext, Runnable } from './runnable.js';
import type { RunEvent } from './run-event.js';
import { context } from '@opentelemetry/api';

/** A step that waits until aborted, recording that its signal fired. */
function hanging(record: { aborted: boolean }) {
  return runnable('hang', (_: unknown, ctx) => {
    return new Promise<never>(() => {
      ctx.signal.addEventListener('abort', () => {
        record.aborted = true;
      });
    });
  });
}

describe('invoke', () => {
  it('cancels on abort mid-run with task_canceled, and the step sees its signal fire', async () => {
    const record = { aborted: false };
    const controller = new AbortController();
    const pending = hanging(record).invoke(null, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const e = (await pending)._unsafeUnwrapErr();
    expect(e.code).toBe('task_canceled');
    expect(record.aborted).toBe(true);
  });

  it('fails at once when the signal is already aborted', async () => {
    let ran = false;
    const r = runnable('x', () => (ran = true));
    const e = (await r.invoke(null, { signal: AbortSignal.abort() }))._unsafeUnwrapErr();
    expect(e.code).toBe('task_canceled');
    expect(ran).toBe(false);
  });

  it('times out with code timeout and aborts the step', async () => {
    const record = { aborted: false };
    const e = (await hanging(record).invoke(null, { timeoutMs: 10 }))._unsafeUnwrapErr();
    expect(e.code).toBe('timeout');
    expect(e.message).toContain('timed out after 10 ms');
    expect(record.aborted).toBe(true);
  });

  it('rejects an invalid timeoutMs with invalid_config naming it', async () => {
    for (const bad of [-5, Number.NaN]) {
      const e = (await runnable('x', () => 1).invoke(null, { timeoutMs: bad }))._unsafeUnwrapErr();
      expect(e.code).toBe('invalid_config');
      expect(e.message).toContain('timeoutMs');
    }
  });
});

describe('batch', () => {
  it('keeps input order and bounds concurrency', async () => {
    let running = 0;
    let peak = 0;
    const r = runnable('slow', async (x: number) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, (10 - x) % 4));
      running -= 1;
      return x * 10;
    });
    const out = (await r.batch([1, 2, 3, 4, 5, 6, 7, 8, 9], { maxConcurrency: 3 }))._unsafeUnwrap();
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(peak).toBe(3);
  });

  it('fails on the first error and aborts the runs still going', async () => {
    const aborted: number[] = [];
    const r = runnable('x', (n: number, ctx) => {
      if (n === 2) return Promise.reject(new Error('two failed'));
      return new Promise<number>((resolve) => {
        ctx.signal.addEventListener('abort', () => aborted.push(n));
        setTimeout(() => resolve(n), 1_000);
      });
    });
    const e = (await r.batch([1, 2, 3]))._unsafeUnwrapErr();
    expect(e.message).toContain('two failed');
    expect(aborted.sort()).toEqual([1, 3]);
  });

  it('runs 200 async items at once without a MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    try {
      const r = runnable('x', async (n: number) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return n;
      });
      const controller = new AbortController();
      const inputs = Array.from({ length: 200 }, (_, i) => i);
      expect((await r.batch(inputs, { signal: controller.signal }))._unsafeUnwrap()).toEqual(
        inputs,
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('aborts every running item when the batch signal aborts', async () => {
    const aborted: number[] = [];
    const r = runnable('x', (n: number, ctx) => {
      return new Promise<number>((resolve) => {
        ctx.signal.addEventListener('abort', () => aborted.push(n));
        setTimeout(() => resolve(n), 5_000);
      });
    });
    const controller = new AbortController();
    const pending = r.batchSettled([1, 2, 3], { maxConcurrency: 2, signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const results = (await pending)._unsafeUnwrap();
    expect(aborted.sort()).toEqual([1, 2]);
    expect(results.map((x) => x.isErr() && x.error.code)).toEqual([
      'task_canceled',
      'task_canceled',
      'task_canceled',
    ]);
  });

  it('returns one Result per input in the settled form', async () => {
    const r = runnable('x', (n: number) => (n % 2 ? ok(n) : err(`even ${n}`)));
    const results = (await r.batchSettled([1, 2, 3]))._unsafeUnwrap();
    expect(results.map((x) => x.isOk())).toEqual([true, false, true]);
    expect(results[1]?._unsafeUnwrapErr().message).toContain('even 2');
  });

  it('rejects a bad maxConcurrency and a non-array with typed errors', async () => {
    const r = runnable('x', (n: number) => n);
    expect((await r.batch([1], { maxConcurrency: 0 }))._unsafeUnwrapErr().code).toBe(
      'invalid_config',
    );
    expect((await r.batch('nope' as unknown as number[]))._unsafeUnwrapErr().code).toBe(
      'invalid_input',
    );
    expect((await r.batch([]))._unsafeUnwrap()).toEqual([]);
  });
});

describe('stream', () => {
  it('is cold: nothing runs until subscription, each subscription is a run', async () => {
    let runs = 0;
    const r = runnable('x', () => ++runs);
    const events$ = r.stream(null);
    expect(runs).toBe(0);
    await firstValueFrom(events$.pipe(toArray()));
    await firstValueFrom(events$.pipe(toArray()));
    expect(runs).toBe(2);
  });

  it('ends with run-end carrying the output and the same runId on every event', async () => {
    const events = await firstValueFrom(
      runnable('x', (n: number) => n + 1)
        .stream(1, { runId: 'r1' })
        .pipe(toArray()),
    );
    expect(events.at(-1)).toMatchObject({ type: 'run-end', output: 2, name: 'x' });
    expect(new Set(events.map((e) => e.runId))).toEqual(new Set(['r1']));
  });

  it('aborts the running step when the subscriber unsubscribes', async () => {
    const record = { aborted: false };
    const sub = hanging(record).stream(null).subscribe();
    await new Promise((resolve) => setTimeout(resolve, 5));
    sub.unsubscribe();
    expect(record.aborted).toBe(true);
  });

  it('honours an external signal', async () => {
    const record = { aborted: false };
    const controller = new AbortController();
    const failure = new Promise<unknown>((resolve) => {
      hanging(record).stream(null, { signal: controller.signal }).subscribe({ error: resolve });
    });
    controller.abort();
    expect(await failure).toMatchObject({ code: 'task_canceled' });
    expect(record.aborted).toBe(true);
  });
});

describe('execute', () => {
  const ctx: ExecutionContext = {
    signal: NEVER_SIGNAL,
    runId: 'r',
    metadata: {},
    sink: undefined,
    path: [],
    enclosing: undefined,
    otel: context.active(),
  };

  it('runs a Runnable that is not built on BaseRunnable through its invoke', async () => {
    const foreign: Runnable<number, number> = {
      name: 'foreign',
      invoke: (n: number): ResultAsync<number, OrchestrationError> => okAsync(n * 3),
      batch: () => okAsync([]),
      batchSettled: () => okAsync([]),
      stream: () => new Observable<RunEvent<number>>(),
    };
    await expect(execute(foreign, 2, ctx)).resolves.toBe(6);
  });

  it('maps a synchronous throw in run to a rejected promise', async () => {
    const bad = runnable('bad', () => {
      throw new OrchestrationError('invalid_input', 'no');
    });
    await expect(execute(bad, 1, ctx)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('RunOptions.parent', () => {
  it("a run started from a step with { parent: ctx } is canceled with the step and gets the step's enclosing run", async () => {
    const seen: unknown[] = [];
    const inner = runnable('inner', (_: unknown, ctx) => {
      seen.push(ctx.enclosing);
      return new Promise<never>(() => undefined);
    });
    const token = { called: false, kind: 'test' };
    const controller = new AbortController();
    const parent = { signal: controller.signal, enclosing: token };
    const pending = inner.invoke(null, { parent });
    controller.abort();
    expect((await pending)._unsafeUnwrapErr().code).toBe('task_canceled');
    // The run is marked as started by a call (a shallow copy with called: true).
    expect(seen).toEqual([{ called: true, kind: 'test' }]);
  });

  it('a parent that is not a step context fails with invalid_config naming the field', async () => {
    const r = runnable('r', (x: number) => x);
    for (const parent of [{}, { signal: 'no' }, { signal: NEVER_SIGNAL, enclosing: 3 }, null]) {
      const error = (await r.invoke(1, { parent: parent as never }))._unsafeUnwrapErr();
      expect(error.code).toBe('invalid_config');
      expect(error.details).toMatchObject({ field: 'parent' });
    }
  });
});
