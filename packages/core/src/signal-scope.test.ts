import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runnable } from './runnable-fn.js';
import { sequence } from './sequence.js';

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
});
