import { err, ok, type Result } from 'neverthrow';
import { OrchestrationError, toOrchestrationError } from '../errors.js';
import type { BatchOptions, RunOptions } from '../runnable.js';
import { NEVER_SIGNAL } from '../abort.js';

/**
 * Runs `start` for every input with at most `maxConcurrency` at once, keeping order. Unless
 * `settled`, the first failure aborts the runs still going and is thrown.
 */
export async function runBatch<I, O>(
  name: string,
  inputs: readonly I[],
  options: BatchOptions,
  settled: boolean,
  start: (input: I, options: RunOptions) => Promise<O>,
): Promise<Result<O, OrchestrationError>[]> {
  const max = options.maxConcurrency ?? Infinity;
  if (!(typeof max === 'number' && (max === Infinity || (Number.isInteger(max) && max > 0)))) {
    throw new OrchestrationError(
      'invalid_config',
      `${name}.batch: maxConcurrency must be a positive integer or Infinity, got ${String(max)}`,
      { op: `${name}.batch`, details: { field: 'maxConcurrency', value: max } },
    );
  }
  if (!Array.isArray(inputs)) {
    throw new OrchestrationError('invalid_input', `${name}.batch: inputs must be an array`, {
      op: `${name}.batch`,
    });
  }
  // One controller per worker (reused across its items), aborted together: a single shared
  // signal would collect a listener per concurrent item and trip MaxListenersExceededWarning.
  const workers = Math.min(max, inputs.length);
  const controllers = Array.from({ length: workers }, () => new AbortController());
  const abortAll = (reason: unknown): void => {
    for (const c of controllers) if (!c.signal.aborted) c.abort(reason);
  };
  const parent = options.signal ?? options.parent?.signal ?? NEVER_SIGNAL;
  const onParentAbort = (): void => abortAll(parent.reason);
  if (parent.aborted) onParentAbort();
  else if (parent !== NEVER_SIGNAL) parent.addEventListener('abort', onParentAbort, { once: true });
  const { maxConcurrency: _ignored, ...runOptions } = options;
  const results = new Array<Result<O, OrchestrationError>>(inputs.length);
  let next = 0;
  let failure: OrchestrationError | undefined;
  const worker = async (signal: AbortSignal): Promise<void> => {
    while (next < inputs.length && failure === undefined) {
      const index = next++;
      const runId = options.runId === undefined ? undefined : `${options.runId}:${index}`;
      try {
        const value = await start(inputs[index] as I, {
          ...runOptions,
          signal,
          ...(runId === undefined ? {} : { runId }),
        });
        results[index] = ok(value);
      } catch (error) {
        const e = toOrchestrationError(error, name);
        results[index] = err(e);
        if (!settled && failure === undefined) {
          failure = e;
          abortAll(e);
        }
      }
    }
  };
  try {
    await Promise.all(controllers.map((c) => worker(c.signal)));
  } finally {
    parent.removeEventListener('abort', onParentAbort);
  }
  if (failure !== undefined) throw failure;
  return results;
}
