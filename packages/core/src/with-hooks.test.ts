import { err, ok } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { hangingStep, MODES, runVia } from '../test/run-every-way.js';
import { OrchestrationError } from './errors.js';
import { runnable } from './runnable-fn.js';
import { withHooks } from './with-hooks.js';

const double = runnable('double', (n: number) => n * 2);
const boom = runnable('boom', (_n: number): number => {
  throw new OrchestrationError('dependency_failed', 'service down');
});

describe.each(MODES)('withHooks under %s', (mode) => {
  it('before changes the input and after the output (functions and Runnables)', async () => {
    const seen: unknown[] = [];
    const hooked = withHooks(double, {
      before: (n, info) => {
        seen.push([info.step, info.input]);
        return n + 1;
      },
      after: runnable('after', (n: number) => n * 100),
    });
    expect((await runVia(mode, hooked, 1))._unsafeUnwrap()).toBe(400);
    expect(seen).toEqual([['double', 1]]);
  });

  it('hooks may return Results and promises', async () => {
    const hooked = withHooks(double, {
      before: (n) => Promise.resolve(ok(n + 1)),
      after: (n) => ok(n - 1),
    });
    expect((await runVia(mode, hooked, 1))._unsafeUnwrap()).toBe(3);
  });

  it('onError recovers with a value and sees the error and input', async () => {
    const hooked = withHooks(boom, {
      before: (n) => n * 10,
      onError: (error, info) => (error.code === 'dependency_failed' ? -info.input : 0),
    });
    expect((await runVia(mode, hooked, 4))._unsafeUnwrap()).toBe(-40);
    const asRunnable = withHooks(boom, {
      onError: runnable(
        'recover',
        (f: { error: OrchestrationError; input: number }) => f.error.message.length + f.input,
      ),
    });
    expect((await runVia(mode, asRunnable, 1))._unsafeUnwrap()).toBe('service down'.length + 1);
  });

  it('an onError that rethrows its error fails the call with it unchanged', async () => {
    const hooked = withHooks(boom, {
      onError: (error) => {
        throw error;
      },
    });
    const e = (await runVia(mode, hooked, 1))._unsafeUnwrapErr();
    expect(e.code).toBe('dependency_failed');
    expect(e.message).toBe('service down');
  });

  it.each(['before', 'after', 'onError'] as const)(
    'a failing %s hook fails the call with execution_failed naming the hook and step',
    async (hook) => {
      const failing = () => {
        throw new Error(`${hook} broke`);
      };
      const hooked = withHooks(hook === 'onError' ? boom : double, { [hook]: failing });
      const e = (await runVia(mode, hooked, 1))._unsafeUnwrapErr();
      expect(e.code).toBe('execution_failed');
      expect(e.details).toMatchObject({ hook, step: hook === 'onError' ? 'boom' : 'double' });
      expect(e.message).toContain(`its ${hook} hook failed: ${hook} broke`);
      expect((e.cause as OrchestrationError).message).toBe(`${hook} broke`);
    },
  );

  it('a hook returning err fails the call too', async () => {
    const hooked = withHooks(double, {
      after: () => err(new OrchestrationError('invalid_state', 'bad output')),
    });
    const e = (await runVia(mode, hooked, 1))._unsafeUnwrapErr();
    expect(e.details).toMatchObject({ hook: 'after', step: 'double', code: 'invalid_state' });
  });
});

describe('withHooks', () => {
  it('does not call onError for a cancellation', async () => {
    const { step, started } = hangingStep();
    let called = false;
    const hooked = withHooks(step, {
      onError: () => {
        called = true;
        return 'recovered';
      },
    });
    const controller = new AbortController();
    const run = hooked.invoke(undefined, { signal: controller.signal });
    await started;
    controller.abort();
    expect((await run)._unsafeUnwrapErr().code).toBe('task_canceled');
    expect(called).toBe(false);
  });

  it('streams the events of Runnable hooks with the call', async () => {
    const events: string[] = [];
    const hooked = withHooks(double, { after: runnable('after', (n: number) => n + 1) });
    await new Promise<void>((resolve, reject) =>
      hooked.stream(2).subscribe({
        next: (e) => events.push(e.type),
        error: reject,
        complete: resolve,
      }),
    );
    expect(events[0]).toBe('run-start');
    expect(events.at(-1)).toBe('run-end');
  });

  it('rejects invalid hooks with invalid_config', () => {
    expect(() => withHooks(double, { before: 42 as never })).toThrow(
      /before hook must be a function or a Runnable/,
    );
    expect(() => withHooks(double, { beforeAll: () => 1 } as never)).toThrow(/unknown hook/);
    expect(() => withHooks(double, null as never)).toThrow(/hooks must be an object/);
  });
});
