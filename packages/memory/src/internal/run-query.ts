import {
  OrchestrationError,
  RUN_STATUSES,
  type RunCheckpoint,
  type RunPage,
  type RunQuery,
  type RunStatus,
} from '@baton/core';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';

/** The position after which a page starts: the last run of the previous page. */
interface RunCursor {
  readonly startedAt: number;
  readonly runId: string;
}

/** A checked {@link RunQuery}. */
export interface ParsedQuery {
  readonly statuses: ReadonlySet<RunStatus> | undefined;
  readonly graph: string | undefined;
  readonly before: number | undefined;
  readonly after: number | undefined;
  readonly limit: number;
  readonly cursor: RunCursor | undefined;
}

/** @default of `RunQuery.limit`. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;

const status = z.enum(RUN_STATUSES);
const querySchema = z
  .object({
    status: z.union([status, z.array(status).readonly()]).optional(),
    graph: z.string().optional(),
    before: z.number().optional(),
    after: z.number().optional(),
    limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
    cursor: z.string().min(1).optional(),
  })
  .strict();

const cursorSchema = z.tuple([z.number(), z.string().min(1)]);

function badQuery(op: string, field: string, message: string): OrchestrationError {
  return new OrchestrationError(
    'invalid_input',
    `${op}: invalid query field ${field}: ${message}`,
    {
      op,
      details: { field },
    },
  );
}

/** Encodes the position of `run` as an opaque cursor. */
function cursorOf(run: RunCheckpoint): string {
  return Buffer.from(JSON.stringify([run.startedAt, run.runId])).toString('base64url');
}

function parseCursor(text: string, op: string): Result<RunCursor, OrchestrationError> {
  try {
    const parsed = cursorSchema.safeParse(
      JSON.parse(Buffer.from(text, 'base64url').toString('utf8')),
    );
    if (parsed.success) return ok({ startedAt: parsed.data[0], runId: parsed.data[1] });
  } catch {
    // reported below
  }
  return err(badQuery(op, 'cursor', 'not a cursor of listRuns; pass the nextCursor of a page'));
}

/** Checks a query; `invalid_input` names the bad field. */
export function parseQuery(
  query: RunQuery | undefined,
  op: string,
): Result<ParsedQuery, OrchestrationError> {
  const parsed = querySchema.safeParse(query ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || '(query)';
    return err(badQuery(op, field, issue?.message ?? 'invalid'));
  }
  const q = parsed.data;
  const cursor = q.cursor === undefined ? ok(undefined) : parseCursor(q.cursor, op);
  return cursor.map((position) => ({
    statuses:
      q.status === undefined
        ? undefined
        : new Set(typeof q.status === 'string' ? [q.status] : q.status),
    graph: q.graph,
    before: q.before,
    after: q.after,
    limit: q.limit ?? DEFAULT_LIMIT,
    cursor: position,
  }));
}

/** Whether `run` comes after `cursor` in newest-first order. */
function afterCursor(run: RunCheckpoint, cursor: RunCursor): boolean {
  return (
    run.startedAt < cursor.startedAt ||
    (run.startedAt === cursor.startedAt && run.runId < cursor.runId)
  );
}

/** Whether `run` passes the query's filters and comes after its cursor. */
export function matchesQuery(run: RunCheckpoint, q: ParsedQuery): boolean {
  return (
    (q.statuses === undefined || q.statuses.has(run.status)) &&
    (q.graph === undefined || run.graph === q.graph) &&
    (q.before === undefined || run.startedAt < q.before) &&
    (q.after === undefined || run.startedAt > q.after) &&
    (q.cursor === undefined || afterCursor(run, q.cursor))
  );
}

/**
 * The page of `runs` (already filtered with {@link matchesQuery} and sorted newest first, with
 * at most `limit + 1` of them needed): the first `limit`, and a cursor when there are more.
 */
export function pageOf(runs: RunCheckpoint[], q: ParsedQuery): RunPage {
  if (runs.length <= q.limit) return { runs };
  const page = runs.slice(0, q.limit);
  return { runs: page, nextCursor: cursorOf(page[page.length - 1] as RunCheckpoint) };
}
