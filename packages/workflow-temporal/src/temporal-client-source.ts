import { Client, Connection } from '@temporalio/client';
import type { TemporalWorkflowConfig } from './temporal-workflow-options.js';

/** Where a workflow gets its Temporal client: a given connection, or one it opens and owns. */
export interface TemporalClientSource {
  /** The client, connecting first when needed; rejects with the Temporal error when it cannot. */
  client(): Promise<Client>;
  /** The connection, for health checks. */
  connection(): Promise<Connection>;
  /** Closes the connection if this source opened it; a given connection stays open. */
  close(): Promise<void>;
}

/** How long opening a connection may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Builds a client source. An owned connection is opened on first use; a failed attempt is
 * forgotten, so the next call tries again (the server may have come up since).
 */
export function temporalClientSource(
  config: Pick<TemporalWorkflowConfig, 'connection' | 'address' | 'namespace'>,
): TemporalClientSource {
  const given = config.connection;
  let connecting: Promise<Connection> | undefined =
    given === undefined ? undefined : Promise.resolve(given);
  let client: Promise<Client> | undefined;
  let closed = false;

  const connection = (): Promise<Connection> => {
    if (closed) return Promise.reject(new Error('the workflow was closed; create a new one'));
    if (connecting === undefined) {
      const attempt = Connection.connect({
        address: config.address,
        connectTimeout: CONNECT_TIMEOUT_MS,
      });
      connecting = attempt;
      attempt.catch(() => {
        if (connecting === attempt) {
          connecting = undefined;
          client = undefined;
        }
      });
    }
    return connecting;
  };

  return {
    connection,
    client() {
      client ??= connection().then(
        (conn) => new Client({ connection: conn, namespace: config.namespace }),
      );
      return client;
    },
    async close() {
      closed = true;
      const owned = given === undefined ? connecting : undefined;
      connecting = undefined;
      client = undefined;
      if (owned === undefined) return;
      try {
        await (await owned).close();
      } catch {
        // never connected: nothing to close
      }
    },
  };
}
