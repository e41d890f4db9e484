import { OrchestrationError, type AnyRunnable, type GraphSpec, type Router } from '@baton/core';
import { graphBindings } from '@baton/graph';
import { err, ok, type Result } from 'neverthrow';
import { ApplicationFailure } from '@temporalio/common';
import { SPEC_PART_BYTES, type WireSpecPart } from '../workflow/graph-wire.js';
import { encodeSpec, type WireSpec } from '../workflow/wire-spec.js';
import type { RunnableActivities } from './runnable-activity.js';

/** What a worker serves: Runnables by activity name, routers by name, graph fingerprints. */
export interface ServedGraphs {
  readonly activities: Readonly<Record<string, AnyRunnable>>;
  readonly routers: ReadonlyMap<string, Router<never>>;
  readonly fingerprints: ReadonlySet<string>;
  /** The specs of the graphs, by fingerprint (for specs sent by reference). */
  readonly specs: ReadonlyMap<string, GraphSpec>;
}

function duplicate(kind: string, name: string): OrchestrationError {
  return new OrchestrationError(
    'invalid_config',
    `createBatonWorker: two different ${kind}s are named "${name}"; ${kind} names must be unique across activities and graphs`,
    {
      op: 'createBatonWorker',
      details: { field: kind === 'router' ? 'routers' : 'activities', name },
    },
  );
}

/**
 * Merges the worker's activities and routers with the runnables and routers of its graphs
 * (found with `graphBindings`). One name standing for two different Runnables (or routers)
 * fails with `invalid_config`; the same one given twice is fine.
 */
export function serveGraphs(
  activities: RunnableActivities,
  graphs: readonly unknown[],
  routers: Readonly<Record<string, Router<never>>>,
): Result<ServedGraphs, OrchestrationError> {
  const fingerprints = new Set<string>();
  const specs = new Map<string, GraphSpec>();
  if (graphs.length === 0 && Object.keys(routers).length === 0) {
    return ok({
      activities: activities as Record<string, AnyRunnable>,
      routers: new Map(),
      fingerprints,
      specs,
    });
  }
  const runnables = new Map<string, AnyRunnable>();
  const routerByName = new Map<string, Router<never>>();
  const add = <T>(map: Map<string, T>, kind: string, name: string, value: T) => {
    const seen = map.get(name);
    if (seen !== undefined && seen !== value) return duplicate(kind, name);
    map.set(name, value);
    return undefined;
  };
  const given: [string, AnyRunnable][] = Array.isArray(activities)
    ? (activities as AnyRunnable[]).map((r) => [r.name, r])
    : Object.entries(activities as Record<string, AnyRunnable>);
  const problems: (OrchestrationError | undefined)[] = [];
  for (const [name, runnable] of given) problems.push(add(runnables, 'runnable', name, runnable));
  for (const [name, router] of Object.entries(routers))
    problems.push(add(routerByName, 'router', name, router));
  for (const graph of graphs) {
    const bound = graphBindings(graph);
    if (bound.isErr()) return err(bound.error);
    fingerprints.add(bound.value.spec.fingerprint);
    specs.set(bound.value.spec.fingerprint, bound.value.spec);
    for (const [name, runnable] of Object.entries(bound.value.runnables))
      problems.push(add(runnables, 'runnable', name, runnable));
    for (const [name, router] of Object.entries(bound.value.routers))
      problems.push(add(routerByName, 'router', name, router));
  }
  const problem = problems.find((p) => p !== undefined);
  if (problem !== undefined) return err(problem);
  return ok({
    activities: Object.fromEntries(runnables),
    routers: routerByName,
    fingerprints,
    specs,
  });
}

const payloadBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/**
 * The wire spec whole when its JSON is at most `maxBytes`, else its JSON text in slices whose
 * payloads (a JSON string each, escapes included) are at most `maxBytes`.
 */
export function specParts(wire: WireSpec, maxBytes = SPEC_PART_BYTES): WireSpec | WireSpecPart[] {
  const text = JSON.stringify(wire);
  if (Buffer.byteLength(text) <= maxBytes) return wire;
  const slices: string[] = [];
  let length = maxBytes;
  for (let at = 0; at < text.length;) {
    let slice = text.slice(at, at + length);
    for (let bytes = payloadBytes(slice); bytes > maxBytes; bytes = payloadBytes(slice)) {
      length = Math.max(1, Math.floor((length * maxBytes * 0.95) / bytes));
      slice = text.slice(at, at + length);
    }
    slices.push(slice);
    at += slice.length;
  }
  return slices.map((slice, part) => ({ part, parts: slices.length, text: slice }));
}

/**
 * The `batonGraphSpec` local activity: the wire spec of a graph this worker serves, by
 * fingerprint (encoded once, on first use), whole or, over {@link SPEC_PART_BYTES}, part `part`
 * of it (see `WireSpecPart`). An unknown fingerprint fails without retry, naming what to do.
 */
export function graphSpecActivity(
  specs: ReadonlyMap<string, GraphSpec>,
): (fingerprint: string, part?: number) => Promise<WireSpec | WireSpecPart> {
  const encoded = new Map<string, WireSpec | WireSpecPart[]>();
  return (fingerprint, part = 0) => {
    const spec = specs.get(fingerprint);
    if (spec === undefined) {
      const served = specs.size === 0 ? 'none' : [...specs.keys()].join(', ');
      return Promise.reject(
        ApplicationFailure.create({
          type: 'not_found',
          nonRetryable: true,
          message: `batonGraph: the execution carries its graph by reference (fingerprint ${fingerprint}), and this worker does not serve that graph (serves: ${served}); pass the graph to createBatonWorker({ graphs })`,
          details: [{ op: 'batonGraphSpec', details: { fingerprint } }],
        }),
      );
    }
    let wire = encoded.get(fingerprint);
    if (wire === undefined) {
      wire = specParts(encodeSpec(spec));
      encoded.set(fingerprint, wire);
    }
    if (!Array.isArray(wire)) return Promise.resolve(wire);
    const found = wire[part];
    if (found === undefined)
      return Promise.reject(
        ApplicationFailure.create({
          type: 'invalid_input',
          nonRetryable: true,
          message: `batonGraphSpec: the spec of ${fingerprint} has ${wire.length} parts, not a part ${part}`,
        }),
      );
    return Promise.resolve(found);
  };
}
