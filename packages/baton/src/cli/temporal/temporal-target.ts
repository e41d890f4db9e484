/**
 * Where a `--temporal` command runs: the server, namespace and task queue, the connection the
 * command opens (bounded, so a server that is down is a clear error rather than a hang), and the
 * worker the CLI starts in-process. Imported only on the `--temporal` path: it loads the Temporal
 * client, and the worker pieces load the Temporal core bridge.
 */
import { createHash } from 'node:crypto';
import { OrchestrationError } from '@baton/core';
import { fromTemporalError } from '@baton/workflow-temporal';
import type { BatonWorker } from '@baton/workflow-temporal/worker';
import { Client, Connection } from '@temporalio/client';
import { err, ok, type Result } from 'neverthrow';
import type { CommandContext } from '../commands/context.js';
import type { LoadedPipeline } from '../pipeline-session.js';

/** `--temporal`, `--namespace`, `--task-queue` as given. */
export interface TemporalFlags {
  readonly temporal?: string;
  readonly namespace?: string;
  readonly taskQueue?: string;
}

/** The server a command talks to, and the client it opened. */
export interface TemporalTarget {
  readonly address: string;
  readonly namespace: string;
  readonly connection: Connection;
  readonly client: Client;
  close(): Promise<void>;
}

/** How long the CLI waits for the server to answer before it says it cannot reach it. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The version of a pipeline the CLI's workers serve: its spec's fingerprint (the structure) and
 * a hash of the validated pipeline (parameters, conditions, settings, which the fingerprint does
 * not cover). Not the file's path, so the same file named two ways is one version.
 */
export function pipelineVersion(pipeline: LoadedPipeline): string {
  const { file: _file, ...content } = pipeline.pipeline;
  return createHash('sha256')
    .update(pipeline.spec.fingerprint)
    .update(JSON.stringify(content))
    .digest('hex')
    .slice(0, 12);
}

/**
 * The default task queue of a pipeline: `baton-<pipeline id>-<version>`, so workers of different
 * versions of a pipeline never take each other's tasks.
 */
export function defaultTaskQueue(pipeline: LoadedPipeline): string {
  return `baton-${pipeline.name}-${pipelineVersion(pipeline)}`;
}

function usage(message: string): OrchestrationError {
  return new OrchestrationError('invalid_input', message, { op: 'baton' });
}

/** Checks the flags' values (a `host:port` address, non-empty names). */
export function checkFlags(flags: TemporalFlags): Result<void, OrchestrationError> {
  const address = flags.temporal ?? '';
  if (!/^[^\s:/]+:\d{1,5}$/.test(address))
    return err(
      usage(`--temporal ${address}: expected the server's host:port, e.g. localhost:7233`),
    );
  if (flags.namespace !== undefined && flags.namespace.trim() === '')
    return err(usage('--namespace: expected a namespace name, e.g. default'));
  if (flags.taskQueue !== undefined && flags.taskQueue.trim() === '')
    return err(usage('--task-queue: expected a task queue name'));
  return ok(undefined);
}

/**
 * Connects to the server and asks it for the namespace, within {@link CONNECT_TIMEOUT_MS}:
 * `dependency_failed` when it cannot be reached, `not_found` for an unknown namespace.
 */
async function openTarget(
  flags: TemporalFlags,
): Promise<Result<TemporalTarget, OrchestrationError>> {
  const address = flags.temporal ?? '';
  const namespace = flags.namespace ?? 'default';
  const unreachable = (cause: unknown): OrchestrationError =>
    new OrchestrationError(
      'dependency_failed',
      `cannot reach Temporal at ${address} within ${CONNECT_TIMEOUT_MS / 1000} s (${fromTemporalError(cause, 'connect').message}); is the server running? (temporal server start-dev)`,
      { op: 'baton', cause },
    );
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: CONNECT_TIMEOUT_MS });
  } catch (error) {
    return err(unreachable(error));
  }
  try {
    await connection.withDeadline(Date.now() + CONNECT_TIMEOUT_MS, () =>
      connection.workflowService.describeNamespace({ namespace }),
    );
  } catch (error) {
    await connection.close().catch(() => undefined);
    const mapped = fromTemporalError(error, 'describeNamespace');
    return err(
      mapped.code === 'not_found'
        ? usage(`--namespace ${namespace}: no such namespace on ${address}`)
        : unreachable(error),
    );
  }
  const client = new Client({ connection, namespace });
  return ok({
    address,
    namespace,
    connection,
    client,
    close: () => connection.close().catch(() => undefined),
  });
}

/**
 * Checks the flags, connects, runs `work` with the target and closes the connection after it:
 * the frame of every `--temporal` command. A failure before `work` ends the command.
 */
export async function withTarget(
  flags: TemporalFlags,
  ctx: Pick<CommandContext, 'fail'>,
  work: (target: TemporalTarget) => Promise<number>,
): Promise<number> {
  const checked = checkFlags(flags);
  if (checked.isErr()) return ctx.fail(checked.error);
  const target = await openTarget(flags);
  if (target.isErr()) return ctx.fail(target.error);
  try {
    return await work(target.value);
  } finally {
    await target.value.close();
  }
}

/**
 * Temporal's own logs go to stderr, errors only (a task that fails is the run's news, reported
 * by the CLI; the worker's "Activity failed" warnings would repeat it), so stdout stays the run's.
 * The Runtime handles no signals: on Ctrl-C the CLI cancels the workflow, and its worker must keep
 * running to carry the cancellation out (Temporal's default would shut it down first).
 */
async function quietRuntime(stderr: NodeJS.WritableStream): Promise<void> {
  const { DefaultLogger, Runtime, makeTelemetryFilterString } = await import('@temporalio/worker');
  try {
    Runtime.install({
      shutdownSignals: [],
      logger: new DefaultLogger('ERROR', (entry) => {
        stderr.write(`temporal ${entry.level.toLowerCase()}: ${entry.message}\n`);
      }),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
  } catch {
    // Already installed in this process.
  }
}

/**
 * A worker on `taskQueue` that holds the pipeline's actions (its compiled runnables and
 * routers), with Baton's workflows (`batonGraph`). Not yet running.
 */
export async function createPipelineWorker(
  pipeline: LoadedPipeline,
  target: Pick<TemporalTarget, 'address' | 'namespace'>,
  taskQueue: string,
  stderr: NodeJS.WritableStream,
): Promise<Result<BatonWorker, OrchestrationError>> {
  const graph = pipeline.graph();
  if (graph.isErr()) return err(graph.error);
  await quietRuntime(stderr);
  const { createBatonWorker } = await import('@baton/workflow-temporal/worker');
  return createBatonWorker({
    address: target.address,
    namespace: target.namespace,
    taskQueue,
    graphs: [graph.value],
  });
}
