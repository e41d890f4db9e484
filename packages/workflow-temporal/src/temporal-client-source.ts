import { OrchestrationError } from '@baton/core';
import { trace } from '@opentelemetry/api';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
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

/** The tracer of Temporal's client spans (`StartWorkflow:<type>`, ...): Baton's provider or the global one. */
const TEMPORAL_TRACER_NAME = '@baton/workflow-temporal';

/**
 * Temporal's OpenTelemetry client interceptor: spans for start, signal, query, cancel, terminate,
 * and the trace context sent to the workflow in its headers, so the workflow's and its activities'
 * spans join the caller's trace.
 */
function tracingInterceptor(
  config: Pick<TemporalWorkflowConfig, 'tracerProvider'>,
): OpenTelemetryWorkflowClientInterceptor {
  const provider = config.tracerProvider ?? trace.getTracerProvider();
  return new OpenTelemetryWorkflowClientInterceptor({
    tracer: provider.getTracer(TEMPORAL_TRACER_NAME),
  });
}

/** How long opening a connection may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Builds a client source. An owned connection is opened on first use; a failed attempt is
 * forgotten, so the next call tries again (the server may have come up since).
 */
export function temporalClientSource(
  config: Pick<TemporalWorkflowConfig, 'connection' | 'address' | 'namespace' | 'tracerProvider'>,
): TemporalClientSource {
  const given = config.connection;
  let connecting: Promise<Connection> | undefined =
    given === undefined ? undefined : Promise.resolve(given);
  let client: Promise<Client> | undefined;
  let closed = false;
  let opened: Connection | undefined; // an owned connection once it is open

  const connection = (): Promise<Connection> => {
    if (closed) {
      const message = 'the workflow was closed (close()); create a new one to reach the server';
      return Promise.reject(
        new OrchestrationError('invalid_state', message, { op: 'workflow.connect' }),
      );
    }
    if (connecting === undefined) {
      const attempt = Connection.connect({
        address: config.address,
        connectTimeout: CONNECT_TIMEOUT_MS,
      });
      connecting = attempt;
      attempt.then(
        (conn) => {
          if (closed)
            void conn.close().catch(() => {}); // closed while connecting
          else opened = conn;
        },
        () => {
          if (connecting === attempt) {
            connecting = undefined;
            client = undefined;
          }
        },
      );
    }
    return connecting;
  };

  return {
    connection,
    client() {
      client ??= connection().then(
        (conn) =>
          new Client({
            connection: conn,
            namespace: config.namespace,
            interceptors: { workflow: [tracingInterceptor(config)] },
          }),
      );
      return client;
    },
    async close() {
      closed = true;
      // A connection still being opened is closed when it opens (above): don't wait for it.
      const open = opened;
      opened = undefined;
      connecting = undefined;
      client = undefined;
      await open?.close().catch(() => {});
    },
  };
}
