/**
 * Test helpers for composition and resilience wrappers: run a Runnable through invoke, batch and
 * stream and compare, count concurrent runs, build controllable steps.
 */
import type { Result } from 'neverthrow';
import { firstValueFrom, toArray } from 'rxjs';
import {
  lastOutput,
  runnable,
  type OrchestrationError,
  type Runnable,
  type RunEvent,
  type RunOptions,
} from '../src/index.js';

export type Mode = 'invoke' | 'batch' | 'stream';
export const MODES: readonly Mode[] = ['invoke', 'batch', 'stream'];

/** Runs `r` once through `mode` and returns the Result. */
export async function runVia<I, O>(
  mode: Mode,
  r: Runnable<I, O>,
  input: I,
  options: RunOptions = {},
): Promise<Result<O, OrchestrationError>> {
  if (mode === 'invoke') return r.invoke(input, options);
  if (mode === 'batch') return (await r.batch([input], options)).map((outputs) => outputs[0] as O);
  return lastOutput(r.stream(input, options));
}

/** Collects every event of a stream, also when it errors (the error comes last). */
export async function collectEvents<O>(
  events$: ReturnType<Runnable<unknown, O>['stream']>,
): Promise<{ events: RunEvent<O>[]; error: OrchestrationError | undefined }> {
  const events: RunEvent<O>[] = [];
  return new Promise((resolve) => {
    events$.subscribe({
      next: (e) => events.push(e),
      error: (error: OrchestrationError) => resolve({ events, error }),
      complete: () => resolve({ events, error: undefined }),
    });
  });
}

/** Events of a successful stream. */
export function allEvents<O>(
  events$: ReturnType<Runnable<unknown, O>['stream']>,
): Promise<RunEvent<O>[]> {
  return firstValueFrom(events$.pipe(toArray()));
}

/** A short description of an event, for asserting the order of a run's events. */
export function describeEvent(e: RunEvent): string {
  switch (e.type) {
    case 'run-start':
    case 'run-end':
      return e.type;
    case 'step-start':
    case 'step-end':
      return `${e.type}:${e.step}${e.index === undefined ? '' : `#${e.index}`}`;
    case 'chunk':
      return `chunk:${e.step}:${String(e.chunk)}`;
    case 'step-retry':
      return `step-retry:${e.step}:${e.attempt}`;
    default:
      return `${e.type}:${e.step}`;
  }
}

/** A promise with its resolve/reject in hand. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A step that never finishes on its own and records when its signal fires. */
export function hangingStep(name = 'hang'): {
  step: Runnable<unknown, never>;
  started: Promise<void>;
  aborted: () => boolean;
} {
  const started = deferred();
  let aborted = false;
  const step = runnable(name, (_: unknown, ctx) => {
    ctx.signal.addEventListener('abort', () => (aborted = true), { once: true });
    started.resolve();
    return new Promise<never>(() => undefined);
  });
  return { step, started: started.promise, aborted: () => aborted };
}

/** Counts how many runs of the returned step are in flight at once. */
export function concurrencyProbe(delayMs = 5): {
  step: Runnable<number, number>;
  max: () => number;
} {
  let active = 0;
  let max = 0;
  const step = runnable('probe', async (n: number) => {
    active += 1;
    max = Math.max(max, active);
    await new Promise((r) => setTimeout(r, delayMs));
    active -= 1;
    return n;
  });
  return { step, max: () => max };
}
