import { validateId } from './validate-id.js';
import {
  ERROR_CODES,
  OrchestrationError,
  RUN_STATUSES,
  type NodeCheckpoint,
  type RunCheckpoint,
} from '@baton/core';
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
): Result<{ record: unknown; json: string }, OrchestrationError> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || '(record)';
    return err(
      new OrchestrationError(
        'invalid_input',
        `${op}: invalid ${what} field ${field}: ${issue?.message ?? 'invalid'}`,
        {
          op,
          details: { field },
        },
      ),
    );
  }
  try {
    const json = JSON.stringify(value);
    return ok({ record: JSON.parse(json) as unknown, json });
  } catch (cause) {
    return err(
      new OrchestrationError(
        'invalid_input',
        `${op}: the ${what} is not JSON-serializable: ${String(cause)}`,
        {
          op,
          cause,
        },
      ),
    );
  }
}

/** Validates a run record and gives its JSON form (and a JSON-cloned copy). */
export function encodeRun(
  run: RunCheckpoint,
  op: string,
): Result<{ record: RunCheckpoint; json: string }, OrchestrationError> {
  return check(runSchema, run, 'run record', op)
    .andThen((checked) => validRunId(checked.record, op).map(() => checked))
    .map(({ record, json }) => ({ record: record as RunCheckpoint, json }));
}

/** Validates a node record and gives its JSON form (and a JSON-cloned copy). */
export function encodeNode(
  node: NodeCheckpoint,
  op: string,
): Result<{ record: NodeCheckpoint; json: string }, OrchestrationError> {
  return check(nodeSchema, node, 'node record', op)
    .andThen((checked) => validRunId(checked.record, op).map(() => checked))
    .map(({ record, json }) => ({ record: record as NodeCheckpoint, json }));
}

/** A run id `loadRun` and `deleteRun` will accept later, so nothing is saved that cannot be read. */
function validRunId(record: unknown, op: string): Result<string, OrchestrationError> {
  return validateId((record as { runId?: unknown }).runId, 'runId', op, 'invalid_input');
}

/** Checks a stored run record (parsed JSON); throws `invalid_state` naming `where` otherwise. */
export function decodeRun(value: unknown, where: string, op: string): RunCheckpoint {
  return decode(runSchema, value, where, op) as RunCheckpoint;
}

/** Checks a stored node record (parsed JSON); throws `invalid_state` naming `where` otherwise. */
export function decodeNode(value: unknown, where: string, op: string): NodeCheckpoint {
  return decode(nodeSchema, value, where, op) as NodeCheckpoint;
}

/** Parses JSON read from a store; throws `invalid_state` naming `where` when it is not JSON. */
export function parseStored(json: string, where: string, op: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (cause) {
    throw corrupt(op, where, cause);
  }
}

function decode(schema: z.ZodType, value: unknown, where: string, op: string): unknown {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw corrupt(op, where, parsed.error);
  return value;
}

function corrupt(op: string, where: string, cause: unknown): OrchestrationError {
  const reason =
    cause instanceof z.ZodError
      ? `${cause.issues[0]?.path.map(String).join('.') ?? ''}: ${cause.issues[0]?.message ?? 'invalid'}`
      : cause instanceof Error
        ? cause.message
        : String(cause);
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
