import { ok } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import type { StepContext } from './runnable.js';
import { runnable } from './runnable-fn.js';
import { sequence } from './sequence.js';

/**
 * `invoke(input)` without options takes a fast path (no execution context for a step whose
 * function returns a plain value, no promise for `run`). It must behave as `invoke(input, {})`.
 */
describe('invoke without options behaves as invoke with empty options', () => {
  /** What a step sees of its context, minus the run id (fresh per run). */
  function seen(ctx: StepContext): unknown {
    let interrupt: unknown;
    try {
      ctx.interrupt('question?');
    } catch (error) {
      interrupt = error;
    }
    return {
      aborted: ctx.signal.aborted,
      metadata: ctx.metadata,
      configurable: ctx.configurable,
      tags: ctx.tags,
      enclosing: ctx.enclosing,
      emit: ctx.emit('dropped'),
      interrupt,
      runId: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u.test(
        ctx.runId,
      ),
    };
  }

  const shapes = {
    value: (ctx: StepContext) => seen(ctx),
    promise: async (ctx: StepContext) => seen(ctx),
    result: (ctx: StepContext) => ok(seen(ctx)),
    generator: function* (ctx: StepContext) {
      yield seen(ctx);
    },
    runnable: (ctx: StepContext) =>
      runnable('inner', (_: number, inner) => [seen(ctx), seen(inner)]),
  };

  for (const [shape, make] of Object.entries(shapes)) {
    it(`gives the step the same context and output (${shape})`, async () => {
      const step = runnable(shape, (_: number, ctx: StepContext) => make(ctx));
      const bare = (await step.invoke(1))._unsafeUnwrap();
      const empty = (await step.invoke(1, {}))._unsafeUnwrap();
      expect(bare).toEqual(empty);
    });
  }

  it('gives the same Err for a step that throws, rejects, or rejects a tick later', async () => {
    const boom = new Error('boom');
    const steps = [
      runnable('throws', () => {
        throw boom;
      }),
      runnable('rejects', () => Promise.reject(boom)),
      runnable('rejects later', () => Promise.resolve(ok(0)).then(() => Promise.reject(boom))),
    ];
    for (const step of steps) {
      const bare = (await step.invoke(1))._unsafeUnwrapErr();
      const empty = (await step.invoke(1, {}))._unsafeUnwrapErr();
      expect([bare.code, bare.message, bare.op, bare.cause]).toEqual([
        empty.code,
        empty.message,
        empty.op,
        empty.cause,
      ]);
      expect(bare.cause).toBe(boom);
    }
  });

  it('gives a fresh run id per run, also to a composite (the default hook)', async () => {
    const ids: string[] = [];
    const record = runnable('record', (x: number, ctx: StepContext) => {
      ids.push(ctx.runId);
      return x;
    });
    const seq = sequence(record, record);
    await seq.invoke(1);
    await seq.invoke(1);
    await record.invoke(1);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set([ids[0], ids[2], ids[4]]).size).toBe(3);
  });
});
