import { OrchestrationError, toOrchestrationError, type Router } from '@baton/core';
import { showValue } from '@baton/core/authoring';
import { ApplicationFailure } from '@temporalio/common';
import type { NodeCall, NodeCallResult } from '../workflow/graph-wire.js';

/** A failure the interpreter does not retry: retrying cannot fix it. */
function final(error: OrchestrationError): ApplicationFailure {
  return ApplicationFailure.create({
    message: error.message,
    type: error.code,
    nonRetryable: true,
    details: [{ op: error.op, details: error.details }],
  });
}

/**
 * Checks a node call before its runnable runs: the graph version (fingerprint) is one this
 * worker serves, and the node's router is registered. Returns the router.
 */
export function checkNodeCall(
  call: NodeCall,
  activity: string,
  options: {
    readonly routers?: ReadonlyMap<string, Router<never>>;
    readonly fingerprints?: ReadonlySet<string>;
  },
): Router<never> | undefined {
  const op = `${call.graph}.${call.node}`;
  const known = options.fingerprints;
  if (known !== undefined && known.size > 0 && !known.has(call.fingerprint)) {
    throw final(
      new OrchestrationError(
        'invalid_state',
        `${op}: this worker serves graph fingerprints ${[...known].join(', ')}, not ${call.fingerprint} (the version the execution pinned); run a worker built from the same graph`,
        { op, details: { fingerprint: call.fingerprint, activity } },
      ),
    );
  }
  if (call.router === undefined) return undefined;
  const router = options.routers?.get(call.router);
  if (router === undefined) {
    const names = [...(options.routers?.keys() ?? [])];
    throw final(
      new OrchestrationError(
        'not_found',
        `${op}: no router registered as "${call.router}" on this worker (registered: ${names.length > 0 ? names.join(', ') : 'none'}); pass the graph or the router to createBatonWorker`,
        { op, details: { router: call.router } },
      ),
    );
  }
  return router;
}

async function picksOf(call: NodeCall, router: Router<never>, output: unknown): Promise<string[]> {
  const op = `${call.graph}.${call.node}.router`;
  let picked: unknown;
  try {
    picked = await (router as (o: unknown) => unknown)(output);
  } catch (error) {
    throw final(toOrchestrationError(error, op));
  }
  const list = typeof picked === 'string' ? [picked] : picked;
  const targets = call.targets ?? [];
  if (!Array.isArray(list)) {
    throw final(
      new OrchestrationError(
        'invalid_state',
        `${op}: returned ${showValue(picked)}; return a target name or an array of target names`,
        { op },
      ),
    );
  }
  for (const target of list as unknown[]) {
    if (typeof target !== 'string' || !targets.includes(target)) {
      throw final(
        new OrchestrationError(
          'invalid_state',
          `${op}: picked ${showValue(target)}, which is not one of its targets (${targets.map((t) => `"${t}"`).join(', ')})`,
          { op, details: { node: call.node, picked: target, targets } },
        ),
      );
    }
  }
  return list as string[];
}

/**
 * What a node's activity returns: its output and its router's picks, refused (not retried) when
 * over the payload limit, naming the node.
 */
export async function finishNodeCall(
  call: NodeCall,
  output: unknown,
  router: Router<never> | undefined,
): Promise<NodeCallResult> {
  const result: NodeCallResult =
    router === undefined ? { output } : { output, picks: await picksOf(call, router, output) };
  const op = `${call.graph}.${call.node}`;
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(result));
  } catch (cause) {
    throw final(
      new OrchestrationError(
        'invalid_state',
        `${op}: the output of node "${call.node}" is not JSON data, which Temporal payloads must be`,
        { op, cause, details: { node: call.node } },
      ),
    );
  }
  if (bytes > call.maxPayloadBytes) {
    throw final(
      new OrchestrationError(
        'resource_exhausted',
        `${op}: node "${call.node}" returned ${bytes} bytes of JSON, over maxPayloadBytes (${call.maxPayloadBytes}; Temporal rejects payloads over 2 MB); return a reference (e.g. a storage key) instead`,
        { op, details: { node: call.node, bytes, maxPayloadBytes: call.maxPayloadBytes } },
      ),
    );
  }
  return result;
}
