import {
  ActivityCancellationType,
  ApplicationFailure,
  proxyActivities,
} from '@temporalio/workflow';

/** Input of the {@link batonRunnable} workflow. */
export interface BatonRunnableInput {
  /** The name the worker registered the Runnable under (`createBatonWorker({ activities })`). */
  readonly activity: string;
  /** The Runnable's input. */
  readonly input?: unknown;
  /** Deadline of one attempt in ms. @default 600000 */
  readonly timeoutMs?: number;
  /**
   * Retries after the first attempt (Temporal's activity RetryPolicy, `maximumAttempts =
   * retries + 1`). Errors the Runnable marks non-retryable are never retried.
   * @default 0
   */
  readonly retries?: number;
  /** First retry delay in ms, doubling after each retry. @default 1000 */
  readonly retryIntervalMs?: number;
  /**
   * A worker that sends no heartbeat for this long is taken as lost and the attempt retried on
   * another. The worker heartbeats while the Runnable runs.
   * @default 30000
   */
  readonly heartbeatTimeoutMs?: number;
}

type RunnableActivities = Record<string, (input: unknown) => Promise<unknown>>;

function count(value: unknown, fallback: number, min: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min ? value : fallback;
}

/**
 * A workflow that runs one registered Runnable as an activity, durably: retried, heartbeated,
 * canceled through the Runnable's AbortSignal. Start it with
 * `createTemporalWorkflow('batonRunnable')`; re-export it from your workflows module if the worker
 * uses your own `workflowsPath`.
 *
 * @example
 * const wf = createTemporalWorkflow<BatonRunnableInput, string>('batonRunnable');
 * await wf.value.execute({ activity: 'summarize', input: text, retries: 2 });
 */
export async function batonRunnable(args: BatonRunnableInput): Promise<unknown> {
  const activity = typeof args === 'object' && args !== null ? args.activity : undefined;
  if (typeof activity !== 'string' || activity === '') {
    throw ApplicationFailure.create({
      message: 'batonRunnable: input.activity must name a registered Runnable',
      type: 'invalid_input',
      nonRetryable: true,
    });
  }
  const activities = proxyActivities<RunnableActivities>({
    startToCloseTimeout: count(args.timeoutMs, 600_000, 1),
    heartbeatTimeout: count(args.heartbeatTimeoutMs, 30_000, 1),
    retry: {
      maximumAttempts: Math.floor(count(args.retries, 0, 0)) + 1,
      initialInterval: count(args.retryIntervalMs, 1_000, 1),
    },
    // Cancel waits for the Runnable to see its AbortSignal and stop.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const run = activities[activity];
  if (run === undefined) throw new Error('unreachable: proxyActivities returns every name');
  return run(args.input);
}
