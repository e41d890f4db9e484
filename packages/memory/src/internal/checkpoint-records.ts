import { validateId } from './validate-id.js';
import {
  ERROR_CODES,
  OrchestrationError,
  RUN_STATUSES,
  type NodeCheckpoint,
  type RunCheckpoint,
} from '@baton/core';
import { decodeCheckpointValue, encodeCheckpointValue } from '@baton/core/authoring';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';

const id = z.string().trim().min(1, 'expected a non-empty string');
const time = z.number('expected a timestamp in ms');

const runSchema = z.object({
  runId: id,
  graph: z.string(),
  status: z.enum(RUN_STATUSES),
  input: z.unknown().optional(),
  startedAt: time,
  updatedAt: time,
  metadata: z.record(z.string(), z.unknown()).optional(),
  interrupts: z.record(z.string(), z.unknown()).optional(),
  answers: z.record(z.string(), z.unknown()).optional(),
});

const nodeSchema = z.object({
  runId: id,
  node: id,
  status: z.enum(['succeeded', 'failed', 'skipped']),
  output: z.unknown().optional(),
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).optional(),
  attempts: z.number().int().min(0),
  finishedAt: time,
});

function check(
  schema: z.ZodType,
  value: unknown,
  what: string,
  op: string,
): Result<void, OrchestrationError> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(undefined);
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(record)';
  return err(
    new OrchestrationError(
      'invalid_input',
      `${op}: invalid ${what} field ${field}: ${issue?.message ?? 'invalid'}`,
      { op, details: { field } },
    ),
  );
}

/** Validates a run record and encodes it with the checkpoint codec. */
export function encodeRun(run: RunCheckpoint, op: string): Result<string, OrchestrationError> {
  return check(runSchema, run, 'run record', op)
    .andThen(() => validRunId(run, op))
    .andThen(() => encodeCheckpointValue(run, `the record of run "${run.runId}"`, op));
}

/**
 * Validates a node record and encodes it with the checkpoint codec; an output the codec cannot
 * keep is refused with `invalid_input` naming the node and the path inside the output.
 */
export function encodeNode(node: NodeCheckpoint, op: string): Result<string, OrchestrationError> {
  return check(nodeSchema, node, 'node record', op)
    .andThen(() => validRunId(node, op))
    .andThen(() => encodeCheckpointValue(node, `node "${node.node}" (run "${node.runId}")`, op));
}

/** A run id `loadRun` and `deleteRun` will accept later, so nothing is saved that cannot be read. */
function validRunId(record: unknown, op: string): Result<string, OrchestrationError> {
  return validateId((record as { runId?: unknown }).runId, 'runId', op, 'invalid_input');
}

/** Decodes and checks a stored run record; throws `invalid_state` naming `where` otherwise. */
export function decodeRun(text: string, where: string, op: string): RunCheckpoint {
  return decode(runSchema, text, where, op) as RunCheckpoint;
}

/** Decodes and checks a stored node record; throws `invalid_state` naming `where` otherwise. */
export function decodeNode(text: string, where: string, op: string): NodeCheckpoint {
  return decode(nodeSchema, text, where, op) as NodeCheckpoint;
}

function decode(schema: z.ZodType, text: string, where: string, op: string): unknown {
  const decoded = decodeCheckpointValue(text, where, op);
  if (decoded.isErr()) throw decoded.error;
  const parsed = schema.safeParse(decoded.value);
  if (!parsed.success) throw corrupt(op, where, parsed.error);
  return decoded.value;
}

function corrupt(op: string, where: string, cause: z.ZodError): OrchestrationError {
  const reason = `${cause.issues[0]?.path.map(String).join('.') ?? ''}: ${cause.issues[0]?.message ?? 'invalid'}`;
  return new OrchestrationError(
    'invalid_state',
    `${op}: checkpoint data at ${where} is corrupt (${reason}); repair or delete it`,
    { op, cause, details: { where } },
  );
}

/** Node records with later records for a node replacing earlier ones, ordered by finish time. */
export function latestNodes(records: Iterable<NodeCheckpoint>): NodeCheckpoint[] {
  const byNode = new Map<string, NodeCheckpoint>();
  for (const record of records) byNode.set(record.node, record);
  return [...byNode.values()].sort(
    (a, b) => a.finishedAt - b.finishedAt || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0),
  );
}

/** Newest first: by start time, then by run id (descending), the same order in every backend. */
export function newestFirst(runs: RunCheckpoint[]): RunCheckpoint[] {
  return runs.sort(
    (a, b) => b.startedAt - a.startedAt || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0),
  );
}

/** The error of `loadRun` for an unknown run. */
export function runNotFound(op: string, runId: string): OrchestrationError {
  return new OrchestrationError(
    'not_found',
    `${op}: no run ${JSON.stringify(runId)} in the checkpoint store; list the stored runs with listRuns()`,
    { op, details: { runId } },
  );
}
