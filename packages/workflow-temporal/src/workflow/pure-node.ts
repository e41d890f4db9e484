import { isOrchestrationError } from '@baton/core/errors';
import { isCancellation, sleep } from '@temporalio/workflow';
import { jsonBytes, type WireError } from './graph-wire.js';
import type { PureContext, PureRouter, PureRunnable } from './pure-runnables.js';

/** How a pure node is called: its function, router and retry policy. */
export interface PureCall {
  readonly graph: string;
  readonly node: string;
  readonly run: PureRunnable;
  readonly router?: PureRouter | undefined;
  readonly targets?: readonly string[] | undefined;
  /** Attempts in all (retries + 1). */
  readonly attempts: number;
  readonly initialInterval: number;
  readonly backoffCoefficient: number;
  readonly maximumInterval: number;
  readonly maxPayloadBytes: number;
}

/** A pure node's outcome: its output and picks, or its error. */
export type PureOutcome =
  | { readonly ok: true; readonly output: unknown; readonly picks?: readonly string[] }
  | { readonly ok: false; readonly error: WireError };

const PROGRAMMING_ERRORS = new Set(['TypeError', 'ReferenceError', 'SyntaxError', 'RangeError']);

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * A thrown value (or an `Err`'s error) as the error the in-process runnable would record
 * (`toOrchestrationError`): an `OrchestrationError` keeps its code, message, retryability and
 * details; anything else is `execution_failed`, retryable unless it is a programming error
 * (`TypeError`, ...).
 */
function wireErrorOf(value: unknown, op: string): WireError {
  const code = field(value, 'code');
  const message = field(value, 'message');
  const text = typeof message === 'string' ? message : String(value);
  if (isOrchestrationError(value) && typeof code === 'string') {
    const details = field(value, 'details');
    const retryable = field(value, 'retryable');
    return {
      code,
      message: text,
      retryable: typeof retryable === 'boolean' ? retryable : true,
      ...(typeof details === 'object' && details !== null
        ? { details: details as Record<string, unknown> }
        : {}),
    };
  }
  const name = field(value, 'name');
  return {
    code: 'execution_failed',
    message: `${op} failed: ${text}`,
    retryable: !(typeof name === 'string' && PROGRAMMING_ERRORS.has(name)),
  };
}

/** A neverthrow `Err` returned instead of thrown. */
function errOf(value: unknown): { error: unknown } | undefined {
  const isErr = field(value, 'isErr');
  if (typeof isErr !== 'function') return undefined;
  if ((isErr as () => unknown).call(value) !== true) return undefined;
  return { error: field(value, 'error') };
}

/** A neverthrow `Ok`'s value, or the value itself. */
function okValue(value: unknown): unknown {
  const isOk = field(value, 'isOk');
  if (typeof isOk === 'function' && (isOk as () => unknown).call(value) === true)
    return field(value, 'value');
  return value;
}

/** A copy of `value` as JSON carries it (what an activity's caller would get), or why not. */
function asJson(value: unknown): { text: string | undefined } | undefined {
  try {
    return { text: JSON.stringify(value) };
  } catch {
    return undefined;
  }
}

const final = (error: Omit<WireError, 'retryable'>): PureOutcome => ({
  ok: false,
  error: { ...error, retryable: false },
});

function picksOf(call: PureCall, output: unknown): PureOutcome {
  const op = `${call.graph}.${call.node}.router`;
  const router = call.router as PureRouter;
  let picked: unknown;
  try {
    picked = (router as (o: unknown) => unknown)(output);
  } catch (error) {
    return final(wireErrorOf(error, op));
  }
  const list = typeof picked === 'string' ? [picked] : picked;
  const targets = call.targets ?? [];
  if (!Array.isArray(list))
    return final({
      code: 'invalid_state',
      message: `${op}: returned ${String(picked)}; return a target name or an array of target names`,
    });
  for (const target of list as unknown[]) {
    if (typeof target !== 'string' || !targets.includes(target))
      return final({
        code: 'invalid_state',
        message: `${op}: picked ${JSON.stringify(target) ?? String(target)}, which is not one of its targets (${targets.map((t) => `"${t}"`).join(', ')})`,
        details: { node: call.node, targets },
      });
  }
  return { ok: true, output, picks: list as string[] };
}

/** The output as a node's activity would return it: JSON data within the payload limit. */
function checkedOutput(call: PureCall, output: unknown): PureOutcome {
  const op = `${call.graph}.${call.node}`;
  const json = asJson(output);
  if (json === undefined)
    return final({
      code: 'invalid_state',
      message: `${op}: the output of node "${call.node}" is not JSON data, which Temporal payloads must be`,
      details: { node: call.node },
    });
  const bytes = jsonBytes(output);
  if (bytes > call.maxPayloadBytes)
    return final({
      code: 'resource_exhausted',
      message: `${op}: node "${call.node}" returned ${bytes} bytes of JSON, over maxPayloadBytes (${call.maxPayloadBytes}; Temporal rejects payloads over 2 MB); return a reference (e.g. a storage key) instead`,
      details: { node: call.node, bytes, maxPayloadBytes: call.maxPayloadBytes },
    });
  // A copy, so no later node can change what this one returned (an activity's result is one).
  const copy: unknown = json.text === undefined ? undefined : JSON.parse(json.text);
  return call.router === undefined ? { ok: true, output: copy } : picksOf(call, copy);
}

/**
 * Runs a pure node inside the workflow: its function on a copy of `input`, retried as an
 * activity would be (retryable errors only, backoff through durable workflow timers, no
 * jitter), then its router. Attempts that run out give `max_retries_exceeded` with the last
 * error's message. Cancellation (fail fast, cancel, timeout) is rethrown.
 */
export async function runPureNode(
  call: PureCall,
  inputText: string | undefined,
): Promise<PureOutcome> {
  let delay = call.initialInterval;
  for (let attempt = 1; ; attempt++) {
    const input: unknown = inputText === undefined ? undefined : JSON.parse(inputText);
    const context: PureContext = { graph: call.graph, node: call.node, attempt };
    let error: WireError;
    try {
      const result: unknown = await (call.run as (i: unknown, c: PureContext) => unknown)(
        input,
        context,
      );
      const failed = errOf(result);
      if (failed === undefined) return checkedOutput(call, okValue(result));
      error = wireErrorOf(failed.error, call.node);
    } catch (thrown) {
      if (isCancellation(thrown)) throw thrown;
      error = wireErrorOf(thrown, call.node);
    }
    if (!error.retryable) return { ok: false, error };
    if (attempt >= call.attempts) {
      if (call.attempts === 1) return { ok: false, error };
      return final({
        code: 'max_retries_exceeded',
        message: `${call.node} failed after ${call.attempts} attempts; last error: ${error.message}`,
        details: { attempts: call.attempts, lastCode: error.code },
      });
    }
    await sleep(delay);
    delay = Math.min(call.maximumInterval, delay * call.backoffCoefficient);
  }
}
