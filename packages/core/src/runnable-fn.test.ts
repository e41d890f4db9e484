import { err, errAsync, ok, okAsync } from 'neverthrow';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { OrchestrationError } from './errors.js';
import { runnable } from './runnable-fn.js';
import { lastOutput } from './stream-helpers.js';

describe('runnable(name, fn)', () => {
  it('accepts a value, a Promise, a Result and a ResultAsync', async () => {
    expect((await runnable('v', (x: number) => x + 1).invoke(1))._unsafeUnwrap()).toBe(2);
    expect((await runnable('p', async (x: number) => x * 2).invoke(2))._unsafeUnwrap()).toBe(4);
    expect((await runnable('r', (x: number) => ok(x - 1)).invoke(2))._unsafeUnwrap()).toBe(1);
    expect((await runnable('ra', (x: number) => okAsync(`${x}`)).invoke(7))._unsafeUnwrap()).toBe(
      '7',
    );
  });

  it('turns a thrown error, a rejected Promise and an Err into an OrchestrationError with the cause', async () => {
    const boom = new Error('boom');
    const thrown = await runnable('t', () => {
      throw boom;
    }).invoke(undefined);
    expect(thrown._unsafeUnwrapErr()).toMatchObject({
      code: 'execution_failed',
      op: 't',
      cause: boom,
    });
    const rejected = await runnable('p', () => Promise.reject(boom)).invoke(undefined);
    expect(rejected._unsafeUnwrapErr().cause).toBe(boom);
    const errResult = await runnable('e', () => err('bad thing')).invoke(undefined);
    expect(errResult._unsafeUnwrapErr().message).toBe('e failed: bad thing');
    const typed = new OrchestrationError('rate_limit_exceeded', 'slow down');
    expect((await runnable('ea', () => errAsync(typed)).invoke(undefined))._unsafeUnwrapErr()).toBe(
      typed,
    );
  });

  it('streams the items of an AsyncIterable as chunk events and concatenates strings', async () => {
    const words = runnable('words', async function* (text: string) {
      for (const w of text.split(' ')) yield `${w} `;
    });
    const events = await firstValueFrom(words.stream('a b c').pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['run-start', 'chunk', 'chunk', 'chunk', 'run-end']);
    expect(events.filter((e) => e.type === 'chunk').map((e) => e.chunk)).toEqual([
      'a ',
      'b ',
      'c ',
    ]);
    expect((await words.invoke('a b'))._unsafeUnwrap()).toBe('a b ');
    const numbers = runnable('n', async function* () {
      yield 1;
      yield 2;
    });
    expect((await numbers.invoke(undefined))._unsafeUnwrap()).toEqual([1, 2]);
  });

  it('lets a step emit chunks through ctx.emit (dropped under invoke)', async () => {
    const r = runnable('emitter', (x: number, ctx) => {
      ctx.emit({ progress: 0.5 });
      return x;
    });
    const events = await firstValueFrom(r.stream(3).pipe(toArray()));
    expect(events[1]).toMatchObject({ type: 'chunk', step: 'emitter', chunk: { progress: 0.5 } });
    expect((await r.invoke(3))._unsafeUnwrap()).toBe(3);
  });

  it('passes runId and metadata to the step', async () => {
    const seen: unknown[] = [];
    const r = runnable('m', (_: null, ctx) => seen.push(ctx.runId, ctx.metadata));
    await r.invoke(null, { runId: 'run-1', metadata: { user: 'u' } });
    expect(seen).toEqual(['run-1', { user: 'u' }]);
  });

  it('rejects a bad name or fn at construction', () => {
    expect(() => runnable('', () => 1)).toThrow(/non-empty/);
    expect(() => runnable('x', 3 as unknown as () => number)).toThrow(/must be a function/);
  });

  it('propagates a streamed failure: step-error, then the Observable errors', async () => {
    const r = runnable('fails', async function* () {
      yield 'a';
      throw new Error('mid-stream');
    });
    const types: string[] = [];
    const error = await new Promise<unknown>((resolve) => {
      r.stream(null).subscribe({ next: (e) => types.push(e.type), error: resolve });
    });
    expect(types).toEqual(['run-start', 'chunk', 'step-error']);
    expect(error).toMatchObject({ code: 'execution_failed' });
    expect((await lastOutput(r.stream(null)))._unsafeUnwrapErr().code).toBe('execution_failed');
  });
});
