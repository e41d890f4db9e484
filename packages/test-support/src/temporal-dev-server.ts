import { findTemporalBinary } from './find-temporal-binary.js';
import { getFreePort } from './free-port.js';
import { spawnSupervised } from './internal/supervised-process.js';
import type { SupervisedProcess } from './internal/supervised-process.js';
import { waitForTemporal } from './internal/wait-for-temporal.js';
import { TestSupportError } from './test-support-error.js';

/** Options for {@link startTemporalDevServer}. */
export interface TemporalDevServerConfig {
  /**
   * Path to the Temporal CLI.
   * @default findTemporalBinary()
   */
  readonly binary?: string;
  /**
   * Namespace the server must serve before it counts as started. `default` always exists; any
   * other is created at launch.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Custom search attributes to register at start (`--search-attribute name=Type`), by name.
   * @default {}
   */
  readonly searchAttributes?: Readonly<Record<string, TemporalSearchAttributeType>>;
  /**
   * How long to wait for the server to answer. Cold starts on a loaded CI machine take seconds,
   * far past the client's own 5–10 s connect default on a bad day.
   * @default 60000
   */
  readonly startTimeoutMs?: number;
  /**
   * How long `stop()` waits after SIGTERM before it sends SIGKILL.
   * @default 10000
   */
  readonly stopGraceMs?: number;
}

/** The types of a custom search attribute, as the Temporal CLI names them. */
export type TemporalSearchAttributeType =
  'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

const SEARCH_ATTRIBUTE_TYPES: ReadonlySet<string> = new Set([
  'Text',
  'Keyword',
  'Int',
  'Double',
  'Bool',
  'Datetime',
  'KeywordList',
]);

function searchAttributeArgs(
  attributes: Readonly<Record<string, TemporalSearchAttributeType>>,
): string[] {
  return Object.entries(attributes).flatMap(([name, type]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !SEARCH_ATTRIBUTE_TYPES.has(type)) {
      throw new TestSupportError(
        'INVALID_OPTION',
        `searchAttributes: ${JSON.stringify(name)} must be an identifier and its type one of ${[...SEARCH_ATTRIBUTE_TYPES].join(', ')}, got ${JSON.stringify(type)}`,
      );
    }
    return ['--search-attribute', `${name}=${type}`];
  });
}

/** A running `temporal server start-dev`, in memory, headless, on a loopback port of its own. */
export interface TemporalDevServer {
  /** `host:port` of the frontend gRPC service, for `Connection.connect({ address })`. */
  readonly address: string;
  readonly namespace: string;
  /** Stops the server and waits until its process group has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const host = '127.0.0.1';
const maxAttempts = 3;

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new TestSupportError(
      'INVALID_OPTION',
      `${name} must be a positive number, got ${String(value)}`,
    );
  }
  return value;
}

function devServerArgs(port: number, namespace: string, extra: readonly string[]): string[] {
  // --http-port and --metrics-port default to random free ports, so only the gRPC port is ours.
  return [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    host,
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-level',
    'error',
    ...extra,
  ];
}

/** A free port can be taken between our check and the server's bind; that is worth a retry. */
function lostPortRace(output: string): boolean {
  return /address already in use|bind:/i.test(output);
}

type StartAttempt =
  | { readonly kind: 'started'; readonly server: SupervisedProcess; readonly address: string }
  | { readonly kind: 'port-taken'; readonly output: string };

async function startOnce(
  binary: string,
  namespace: string,
  deadline: number,
  extra: readonly string[],
): Promise<StartAttempt> {
  const port = await getFreePort(host);
  const address = `${host}:${port}`;
  const server = spawnSupervised(binary, devServerArgs(port, namespace, extra));
  const outcome = await waitForTemporal({ address, namespace, deadline, exited: server.exited });
  if (outcome.kind === 'ready') return { kind: 'started', server, address };
  await server.stop(2_000);
  if (outcome.kind === 'exited' && lostPortRace(server.output())) {
    return { kind: 'port-taken', output: server.output() };
  }
  const why =
    outcome.kind === 'exited'
      ? `exited during startup (code ${String((await server.exited).code)})`
      : `did not answer before the start timeout (last error: ${String(outcome.lastError)})`;
  throw new TestSupportError(
    'TEMPORAL_START_FAILED',
    `temporal server start-dev on ${address} ${why}. Output:\n${server.output()}`,
    outcome.kind === 'timeout' ? { cause: outcome.lastError } : {},
  );
}

/**
 * Starts `temporal server start-dev --headless` on a free loopback port and resolves once it
 * describes `namespace`. The server lives in its own process group; `stop()` ends it, and it also
 * ends when this process exits, even by a signal. Rejects with `TEMPORAL_NOT_FOUND` when there is
 * no CLI (run `bash scripts/ensure-temporal.sh`) and `TEMPORAL_START_FAILED` otherwise.
 *
 * @example
 * ```ts
 * const server = await startTemporalDevServer();
 * const connection = await Connection.connect({ address: server.address });
 * // ...
 * await connection.close();
 * await server.stop();
 * ```
 */
export async function startTemporalDevServer(
  config: TemporalDevServerConfig = {},
): Promise<TemporalDevServer> {
  const namespace = config.namespace ?? 'default';
  const startTimeoutMs = positive('startTimeoutMs', config.startTimeoutMs ?? 60_000);
  const stopGraceMs = positive('stopGraceMs', config.stopGraceMs ?? 10_000);
  const extra = searchAttributeArgs(config.searchAttributes ?? {});
  const binary = config.binary ?? findTemporalBinary();
  if (binary === undefined) {
    throw new TestSupportError(
      'TEMPORAL_NOT_FOUND',
      'no temporal binary on PATH or in $(go env GOPATH)/bin; run `bash scripts/ensure-temporal.sh`',
    );
  }
  const deadline = Date.now() + startTimeoutMs;
  let output = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const started = await startOnce(binary, namespace, deadline, extra);
    if (started.kind === 'started') {
      const { server, address } = started;
      return { address, namespace, stop: () => server.stop(stopGraceMs) };
    }
    output = started.output;
  }
  throw new TestSupportError(
    'TEMPORAL_START_FAILED',
    `could not bind a free port in ${maxAttempts} attempts. Output:\n${output}`,
  );
}
