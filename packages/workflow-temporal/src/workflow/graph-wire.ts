/**
 * What the graph interpreter workflow (`batonGraph`), its client and its worker exchange. Pure
 * types, names and defaults: the client, the worker and the workflow sandbox all load this file,
 * so it imports nothing.
 */

/** How the interpreter workflow runs a graph; every field has a default. */
export interface GraphInterpreterSettings {
  /**
   * Activities the interpreter keeps pending at most, whatever the graph's `maxWorkers` (Temporal
   * rejects more than 2,000 pending activities per execution).
   * @default 500
   */
  readonly maxPendingActivities: number;
  /**
   * The interpreter continues as new once the run's history has this many events (Temporal
   * terminates an execution at 51,200). It first lets running activities finish, so keep room
   * for `maxPendingActivities` * 3 more events.
   * @default 10000
   */
  readonly continueAsNewAfterEvents: number;
  /** ... or once the history has this many bytes (Temporal's limit is 50 MB). @default 20000000 */
  readonly continueAsNewAfterBytes: number;
  /**
   * The largest node input or output, graph input, carried state or result, in bytes of JSON
   * (Temporal rejects payloads over 2 MB). A node whose output is larger fails, naming the node.
   * @default 2000000
   */
  readonly maxPayloadBytes: number;
  /** A node's worker that sends no heartbeat for this long is taken as lost. @default 30000 */
  readonly heartbeatTimeoutMs: number;
  /** Temporal's start-to-close timeout of a node without its own timeout. @default 86400000 */
  readonly defaultNodeTimeoutMs: number;
  /** Events the `events` query keeps (the newest). @default 1000 */
  readonly maxEvents: number;
  /**
   * A spec whose wire form with the input is larger than this many bytes of JSON goes by
   * reference: the execution's input carries only its fingerprint and the workers that serve the
   * graph (`createBatonWorker({ graphs })`) supply it through the `batonGraphSpec` local activity,
   * once per execution. Inline, a large spec would leave too little of the 2 MB payload for the
   * state carried across continue-as-new.
   * @default 1000000
   */
  readonly inlineSpecMaxBytes: number;
}

/** The defaults of {@link GraphInterpreterSettings}. */
export const DEFAULT_GRAPH_INTERPRETER_SETTINGS: Readonly<GraphInterpreterSettings> = Object.freeze(
  {
    maxPendingActivities: 500,
    continueAsNewAfterEvents: 10_000,
    continueAsNewAfterBytes: 20_000_000,
    maxPayloadBytes: 2_000_000,
    heartbeatTimeoutMs: 30_000,
    defaultNodeTimeoutMs: 86_400_000,
    maxEvents: 1_000,
    inlineSpecMaxBytes: 1_000_000,
  },
);

/** Signals the interpreter handles. */
export const GRAPH_SIGNALS = Object.freeze({
  /** Starts no new node until `resume`; running nodes finish. */
  pause: 'baton.graph.pause',
  resume: 'baton.graph.resume',
  /** Cancels running nodes and fails the run with `task_canceled` (payload: a reason). */
  cancel: 'baton.graph.cancel',
});

/**
 * The local activity every Baton worker registers that returns the wire spec of a graph it serves
 * (`createBatonWorker({ graphs })`), by fingerprint. The interpreter calls it once per execution
 * (and again after each continue-as-new) when its input carries the spec by reference.
 */
export const GRAPH_SPEC_ACTIVITY = 'batonGraphSpec';

/**
 * One part of a wire spec too large for one local activity result (Temporal refuses payloads over
 * 2 MB): `batonGraphSpec(fingerprint, part)` returns the JSON text of the wire spec in `parts`
 * slices of at most about {@link SPEC_PART_BYTES} each; the interpreter joins and parses them.
 */
export interface WireSpecPart {
  readonly part: number;
  readonly parts: number;
  readonly text: string;
}

/** The largest wire spec sent whole, and the size of each part of a larger one (JSON bytes). */
export const SPEC_PART_BYTES = 1_500_000;

/** Queries the interpreter answers. */
export const GRAPH_QUERIES = Object.freeze({
  /** {@link GraphProgress} */
  progress: 'baton.graph.progress',
  /** {@link GraphEvent}s after a sequence number (argument; default -1: all kept). */
  events: 'baton.graph.events',
});

/** An error as the interpreter records it (an `OrchestrationError` as data). */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A node's outcome. */
export type NodeStatus = 'succeeded' | 'failed' | 'skipped';

/** Node counts and where the run is, as the `progress` query answers. */
export interface GraphProgress {
  readonly total: number;
  readonly pending: number;
  readonly running: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  /** `draining`: waiting for running nodes before continuing as new. */
  readonly status: 'running' | 'paused' | 'draining' | 'stopping';
  /** Executions this run spans (1 + times it continued as new). */
  readonly runs: number;
  /** The newest event's sequence number (-1 before the first). */
  readonly lastEvent: number;
}

/** One event of the live view, as the `events` query answers (outputs are not included). */
export interface GraphEvent {
  /** Increases by one per event, across continue-as-new. */
  readonly seq: number;
  readonly type: 'step-start' | 'step-end' | 'step-error' | 'step-skip';
  readonly step: string;
  /** Workflow time, ms since the epoch. */
  readonly timestamp: number;
  readonly code?: string;
  readonly message?: string;
  readonly reason?: string;
}

/** What `batonGraph` returns: the output, every node's outcome, the failures it absorbed. */
export interface GraphWireResult {
  readonly output: unknown;
  /** Outputs of the nodes that succeeded, by name; absent when over `maxPayloadBytes`. */
  readonly outputs?: Readonly<Record<string, unknown>>;
  readonly nodes: Readonly<Record<string, NodeStatus>>;
  /** Nodes that failed without failing the run (optional edges, trigger rules). */
  readonly failures: Readonly<Record<string, WireError>>;
  readonly runs: number;
}

/** The second argument the interpreter passes a node's activity. */
export interface NodeCall {
  readonly graph: string;
  readonly node: string;
  readonly fingerprint: string;
  /** The node's router (by its registered name), run by the worker on the output. */
  readonly router?: string;
  readonly targets?: readonly string[];
  readonly maxPayloadBytes: number;
}

/** What a node's activity returns to the interpreter. */
export interface NodeCallResult {
  readonly output: unknown;
  /** Targets the router picked. */
  readonly picks?: readonly string[];
}

/** Bytes of `text` in UTF-8, without TextEncoder or Buffer (the sandbox has neither for sure). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of `value` as JSON (0 for `undefined`); `Infinity` when it is not JSON. */
export function jsonBytes(value: unknown): number {
  try {
    const text = JSON.stringify(value) as string | undefined;
    return text === undefined ? 0 : utf8Length(text);
  } catch {
    return Infinity;
  }
}
