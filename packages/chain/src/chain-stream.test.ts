import { lastOutput, OrchestrationError, runnable, type RunEvent } from '@baton/core';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { withChainRetries, withChainRetryPolicy } from './chain-options.js';
import { createChain } from './create-chain.js';
import { delay, untilAborted } from '../test/fixtures.js';

const fast = withChainRetryPolicy({ initialDelayMs: 1, maxDelayMs: 2, jitter: 0 });

function summary(events: readonly RunEvent[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case 'step-start':
        return `start ${e.step}#${e.index ?? '?'}@${e.attempt ?? '?'}`;
      case 'step-end':
        return `end ${e.step} ${JSON.stringify(e.output)}`;
      case 'chunk':
        return `chunk ${e.step} ${String(e.chunk)}`;
      case 'step-retry':
        return `retry ${e.step}@${e.attempt}`;
      case 'step-error':
        return `error ${e.step} ${e.error.code}`;
      case 'run-end':
        return `run-end ${JSON.stringify(e.output)}`;
      default:
        return e.type;
    }
  });
}

async function* words(text: string): AsyncIterable<string> {
  for (const w of text.split(' ')) {
    await delay(0);
    yield `${w} `;
  }
}

describe('stream', () => {
  it("emits every step's events in order, with chunks from streaming steps and the output last", async () => {
    const chain = createChain([
      runnable('upper', (s: string) => s.toUpperCase()),
      runnable('speak', (s: string) => words(s)),
      runnable('trim', (s: string) => s.trim()),
    ])._unsafeUnwrap();
    const events = await firstValueFrom(chain.stream('hello big world').pipe(toArray()));
    expect(summary(events)).toEqual([
      'run-start',
      'start upper#0@1',
      'end upper "HELLO BIG WORLD"',
      'start speak#1@1',
      'chunk speak HELLO ',
      'chunk speak BIG ',
      'chunk speak WORLD ',
      'end speak "HELLO BIG WORLD "',
      'start trim#2@1',
      'end trim "HELLO BIG WORLD"',
      'run-end "HELLO BIG WORLD"',
    ]);
    expect((await lastOutput(chain.stream('a b')))._unsafeUnwrap()).toBe('A B');
  });

  it('reports retries, each attempt starting anew', async () => {
    let calls = 0;
    const chain = createChain(
      [
        runnable('flaky', (n: number) => {
          calls++;
          if (calls < 3) throw new Error('flaky');
          return n;
        }),
      ],
      withChainRetries(3),
      fast,
    )._unsafeUnwrap();
    const events = await firstValueFrom(chain.stream(5).pipe(toArray()));
    expect(summary(events)).toEqual([
      'run-start',
      'start flaky#0@1',
      'retry flaky@1',
      'start flaky#0@2',
      'retry flaky@2',
      'start flaky#0@3',
      'end flaky 5',
      'run-end 5',
    ]);
  });

  it('does not retry a step that already streamed a chunk', async () => {
    let calls = 0;
    const chain = createChain(
      [
        runnable('half', (_: number, ctx) => {
          calls++;
          ctx.emit('partial');
          throw new Error('broke mid-stream');
        }),
      ],
      withChainRetries(3),
      fast,
    )._unsafeUnwrap();
    const events: RunEvent[] = [];
    const error = await new Promise<unknown>((resolve) => {
      chain.stream(1).subscribe({ next: (e) => events.push(e), error: resolve });
    });
    expect(calls).toBe(1);
    expect((error as OrchestrationError).code).toBe('execution_failed');
    expect(summary(events)).toEqual([
      'run-start',
      'start half#0@1',
      'chunk half partial',
      'error half execution_failed',
    ]);
  });

  it('emits step-error once, then errors the Observable with the OrchestrationError', async () => {
    const chain = createChain([
      (n: number) => n,
      runnable('bad', (_: number): number => {
        throw new OrchestrationError('invalid_input', 'no');
      }),
    ])._unsafeUnwrap();
    const events: RunEvent[] = [];
    const error = await new Promise<unknown>((resolve) => {
      chain.stream(1).subscribe({ next: (e) => events.push(e), error: resolve });
    });
    expect((error as OrchestrationError).code).toBe('invalid_input');
    expect(summary(events).filter((s) => s.startsWith('error'))).toEqual([
      'error bad invalid_input',
    ]);
  });

  it('unsubscribing mid-chain aborts the running step and starts no further step', async () => {
    const record = { aborted: false };
    let second = false;
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const chain = createChain([
      runnable('wait', (n: number, ctx) => {
        started();
        return untilAborted(ctx.signal, record).then(() => n);
      }),
      runnable('after', (n: number) => {
        second = true;
        return n;
      }),
    ])._unsafeUnwrap();
    const events: RunEvent[] = [];
    const subscription = chain.stream(1).subscribe({ next: (e) => events.push(e) });
    await firstStarted;
    subscription.unsubscribe();
    expect(record.aborted).toBe(true);
    await delay(20);
    expect(second).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['run-start', 'step-start']);
  });
});
