import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';

/** What {@link waitForTemporal} needs to know about the server it waits for. */
export interface WaitForTemporalOptions {
  readonly address: string;
  readonly namespace: string;
  /** Epoch milliseconds after which it gives up. */
  readonly deadline: number;
  /** Settles when the server process exits, which ends the wait at once. */
  readonly exited: Promise<unknown>;
}

/** The outcome: ready, the process died, or the deadline passed (with the last probe error). */
export type WaitForTemporalOutcome =
  | { readonly kind: 'ready' }
  | { readonly kind: 'exited' }
  | { readonly kind: 'timeout'; readonly lastError: unknown };

/** Longest single probe: a fresh connection per attempt avoids grpc-js's reconnect backoff. */
const attemptMs = 5_000;
const pauseMs = 100;

async function probe(options: WaitForTemporalOptions): Promise<void> {
  const attemptDeadline = Math.min(options.deadline, Date.now() + attemptMs);
  const connection = Connection.lazy({
    address: options.address,
    connectTimeout: Math.max(1, attemptDeadline - Date.now()),
  });
  try {
    // The frontend port opens before the namespace registry is loaded, so connecting is not
    // enough: the server is ready once it can describe the namespace the tests will use.
    await connection.ensureConnected();
    const response = await connection.withDeadline(attemptDeadline, () =>
      connection.workflowService.describeNamespace({ namespace: options.namespace }),
    );
    const name = response.namespaceInfo?.name;
    if (name !== options.namespace) {
      throw new Error(`describeNamespace answered ${JSON.stringify(name)}`);
    }
  } finally {
    await connection.close();
  }
}

/** Probes the server until it describes `namespace`, its process exits, or `deadline` passes. */
export async function waitForTemporal(
  options: WaitForTemporalOptions,
): Promise<WaitForTemporalOutcome> {
  let exited = false;
  const exitedOutcome = options.exited.then(() => {
    exited = true;
    return { kind: 'exited' } as const;
  });
  let lastError: unknown = new Error('no attempt finished before the deadline');
  while (!exited && Date.now() < options.deadline) {
    const attempt = probe(options).then(
      () => ({ kind: 'ready' }) as const,
      (error: unknown) => {
        lastError = error;
        return undefined;
      },
    );
    const outcome = await Promise.race([attempt, exitedOutcome]);
    if (outcome !== undefined) return outcome;
    await sleep(pauseMs);
  }
  return exited ? { kind: 'exited' } : { kind: 'timeout', lastError };
}
