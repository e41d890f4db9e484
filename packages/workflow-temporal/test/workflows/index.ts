/**
 * A user's own workflows module, as the integration tests' worker bundles it. Sandbox code:
 * imports `@temporalio/workflow` and Baton's sandbox-safe `./workflow` entry only.
 */
import {
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';

export { batonRunnable } from '../../src/workflow/index.js';

interface Activities {
  greet(name: string): Promise<string>;
}

const { greet } = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 1 },
});

/** Calls the Baton Runnable registered as activity `greet`. */
export async function greeting(name: string): Promise<string> {
  return `${await greet(name)}!`;
}

export const approve = defineSignal<[string]>('approve');
export const status = defineQuery<string>('status');

/** Waits for an `approve` signal; `status` tells where it is. */
export async function approval(request: string): Promise<string> {
  let state = `waiting: ${request}`;
  setHandler(approve, (by: string) => {
    state = `approved by ${by}`;
  });
  setHandler(status, () => state);
  await condition(() => state.startsWith('approved'));
  return state;
}

/** Fails its first attempt; succeeds when the workflow RetryPolicy runs it again. */
export function flaky(): Promise<number> {
  const { attempt } = workflowInfo();
  if (attempt < 2) throw ApplicationFailure.retryable('first attempt fails', 'execution_failed');
  return Promise.resolve(attempt);
}

/** Never finishes on its own. */
export async function forever(): Promise<void> {
  await condition(() => false);
}
export { handWrittenDag } from './hand-written-dag.js';
export type { HandWrittenDagInput } from './hand-written-dag.js';
