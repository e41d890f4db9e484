import { getEventListeners } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from 'neverthrow';
import { BaseRunnable } from './base-runnable.js';
import type { OrchestrationError } from './errors.js';
import { parallel } from './parallel.js';
import { lastOutput } from './stream-helpers.js';
import { runnable } from './runnable-fn.js';
import type { ExecutionContext, Runnable, RunOptions } from './runnable.js';
import { sequence } from './sequence.js';
import { withTimeout } from './with-timeout.js';

/** A step that leaves one abort listener behind on every call, as much real code does. */
function leaky(name: string, fired: string[]) {
  return runnable(name, (x: number, ctx) => {
    ctx.signal.addEventListener('abort', () => fired.push(name));
    return x + 1;
  });
}

describe('signals handed to steps', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w);
  };
  beforeEach(() => {
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('warning', onWarning);
    warnings.length = 0;
  });
  const settleWarnings = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('runs without a signal never collect listeners across runs', async () => {
    const fired: string[] = [];
    const step = leaky('step', fired);
    for (let i = 0; i < 50; i++) expect((await step.invoke(i))._unsafeUnwrap()).toBe(i + 1);
    await settleWarnings();
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it("listeners left on a run's signal stay with that run, not on the caller's signal", async () => {
    const fired: string[] = [];
    const step = leaky('step', fired);
    const shutdown = new AbortController(); // one signal shared by many runs, like a server's
    for (let i = 0; i < 50; i++) {
      expect((await step.invoke(i, { signal: shutdown.signal }))._unsafeUnwrap()).toBe(i + 1);
    }
    expect((await step.batch([1, 2, 3], { signal: shutdown.signal }))._unsafeUnwrap()).toEqual([
      2, 3, 4,
    ]);
    shutdown.abort();
    await settleWarnings();
    expect(fired).toEqual([]); // the finished runs' listeners were not on `shutdown`
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('a long sequence of leaky steps does not warn, and an abort still reaches the steps', async () => {
    const fired: string[] = [];
    const steps = Array.from({ length: 30 }, (_, i) => leaky(`s${String(i)}`, fired));
    const [first, ...rest] = steps as [ReturnType<typeof leaky>, ...ReturnType<typeof leaky>[]];
    const long = sequence(first, ...rest);
    expect((await long.invoke(0, { signal: new AbortController().signal }))._unsafeUnwrap()).toBe(
      30,
    );
    await settleWarnings();
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');

    const controller = new AbortController();
    const hanging = runnable('hang', (_: number, ctx) => {
      ctx.signal.addEventListener('abort', () => fired.push('hang'));
      return new Promise<number>(() => undefined);
    });
    const run = sequence(first, hanging).invoke(0, { signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect((await run)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(fired).toEqual(['s0', 'hang']);
  });

  it('a run without a signal lets a step set and clear onabort', async () => {
    const step = runnable('onabort', (x: number, ctx) => {
      ctx.signal.onabort = () => undefined;
      ctx.signal.onabort = null; // a library clearing its handler when done
      return x + 1;
    });
    expect((await step.invoke(1))._unsafeUnwrap()).toBe(2);
    expect((await step.invoke(1))._unsafeUnwrap()).toBe(2);
  });

  it('a finished stream does not fire the signal of its steps, as with invoke', async () => {
    const fired: string[] = [];
    const step = leaky('step', fired);
    const caller = new AbortController();
    expect((await lastOutput(step.stream(1)))._unsafeUnwrap()).toBe(2);
    expect((await lastOutput(step.stream(1, { signal: caller.signal })))._unsafeUnwrap()).toBe(2);
    const failing = runnable('failing', (_: number, ctx) => {
      ctx.signal.addEventListener('abort', () => fired.push('failing'));
      throw new Error('no');
    });
    expect((await lastOutput(failing.stream(1)))._unsafeUnwrapErr().code).toBe('execution_failed');
    expect(fired).toEqual([]);

    // unsubscribing before the run settles still aborts it
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const hang = runnable('hang', (_: number, ctx) => {
      ctx.signal.addEventListener('abort', () => fired.push('hang'));
      started();
      return new Promise<number>(() => undefined);
    });
    const subscription = hang.stream(1).subscribe({ error: () => undefined });
    await running;
    subscription.unsubscribe();
    expect(fired).toEqual(['hang']);
  });
});

type Way = 'invoke' | 'batch' | 'batchSettled' | 'stream';
const WAYS: readonly Way[] = ['invoke', 'batch', 'batchSettled', 'stream'];

/** One run of `r` through `way`, as the Result of that input. */
async function runWay<I, O>(
  way: Way,
  r: Runnable<I, O>,
  input: I,
  options: RunOptions,
): Promise<Result<O, OrchestrationError>> {
  if (way === 'invoke') return r.invoke(input, options);
  if (way === 'stream') return lastOutput(r.stream(input, options));
  if (way === 'batch') return (await r.batch([input], options)).map((out) => out[0] as O);
  const settled = (await r.batchSettled([input], options))._unsafeUnwrap();
  return settled[0] as Result<O, OrchestrationError>;
}

describe("the caller's signal", () => {
  const abortListeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

  class ThrowsAtOnce extends BaseRunnable<number, number> {
    readonly name = 'throws';
    override run(_: number, ctx: ExecutionContext): Promise<number> {
      ctx.signal.addEventListener('abort', () => undefined);
      throw new Error('synchronous');
    }
  }

  it('ends every run with no listener left on it, however the run ends', async () => {
    const caller = new AbortController();
    const keep = (_: number, ctx: { signal: AbortSignal }): void =>
      ctx.signal.addEventListener('abort', () => undefined);
    const ok = runnable('ok', (x: number, ctx) => (keep(x, ctx), x + 1));
    const fails = runnable('fails', (x: number, ctx) => {
      keep(x, ctx);
      throw new Error('no');
    });
    const hangs = runnable('hangs', (x: number, ctx) => {
      keep(x, ctx);
      return new Promise<number>(() => undefined);
    });
    const runs: [Runnable<number, number>, RunOptions, string][] = [
      [ok, {}, 'ok'],
      [fails, {}, 'execution_failed'],
      [new ThrowsAtOnce(), {}, 'execution_failed'],
      [new ThrowsAtOnce(), { timeoutMs: 60_000 }, 'execution_failed'],
      [hangs, { timeoutMs: 1 }, 'timeout'],
      [withTimeout(hangs, 1), {}, 'timeout'],
      [ok, { timeoutMs: -1 }, 'invalid_config'],
    ];
    for (const way of WAYS) {
      for (const [r, options, outcome] of runs) {
        for (let i = 0; i < 3; i++) {
          const result = await runWay(way, r, 1, { ...options, signal: caller.signal });
          expect(result.isOk() ? 'ok' : result.error.code).toBe(outcome);
        }
      }
    }
    expect(abortListeners(caller.signal)).toBe(0);
  });

  it('aborting it reaches every running step, under every way of running and with deadlines', async () => {
    for (const way of WAYS) {
      for (const deadline of ['none', 'timeoutMs', 'withTimeout'] as const) {
        const fired: string[] = [];
        let running = 0;
        let bothRunning!: () => void;
        const started = new Promise<void>((resolve) => (bothRunning = resolve));
        const waits = (name: string) =>
          runnable(name, (_: number, ctx) => {
            ctx.signal.addEventListener('abort', () => fired.push(name));
            if (++running === 2) bothRunning();
            return new Promise<number>(() => undefined);
          });
        const first = runnable('first', (x: number, ctx) => {
          ctx.signal.addEventListener('abort', () => fired.push('first'));
          return x;
        });
        const flow = sequence(first, parallel({ a: waits('a'), b: waits('b') }));
        const r = deadline === 'withTimeout' ? withTimeout(flow, 60_000) : flow;
        const caller = new AbortController();
        const options = deadline === 'timeoutMs' ? { timeoutMs: 60_000 } : {};
        const run = runWay(way, r, 1, { ...options, signal: caller.signal });
        await started;
        caller.abort();
        expect((await run)._unsafeUnwrapErr().code).toBe('task_canceled');
        expect(fired.sort()).toEqual(['a', 'b', 'first']);
        expect(abortListeners(caller.signal)).toBe(0);
      }
    }
  });
});

describe('portability', () => {
  /** Every import specifier of the non-test sources of @baton/core. */
  function importsOfCore(): { file: string; specifier: string }[] {
    const src = fileURLToPath(new URL('.', import.meta.url));
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !/\.test(-d)?\.ts$/.test(f),
    );
    return files.flatMap((file) =>
      [
        ...readFileSync(join(src, file), 'utf8').matchAll(
          /\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'/g,
        ),
      ].map((m) => ({ file, specifier: m[1] ?? m[2] ?? '' })),
    );
  }

  it('core imports no Node built-in, so the Temporal workflow sandbox and browsers can load it', () => {
    const builtins = new Set(builtinModules);
    const nodeOnly = importsOfCore().filter(
      ({ specifier }) =>
        specifier.startsWith('node:') || builtins.has(specifier.split('/')[0] ?? ''),
    );
    expect(nodeOnly).toEqual([]);
  });
});
