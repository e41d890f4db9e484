/**
 * Bad input to `graphFromSpec` and the graph builder gets a typed `Err` that says what to fix:
 * any spec value, any spec field replaced by any value, any bindings; any argument to a builder
 * method. Nothing throws, rejects or hangs.
 */
import { runnable, type Runnable } from '@baton/core';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  anyValue,
  expectErr,
  expectOk,
  failOnProcessErrors,
  mostly,
  RUNS,
  settle,
} from '../../core/test/bad-input-contract.js';
import { createGraphBuilder, graphFromSpec, namedRouter } from '../src/index.js';

failOnProcessErrors();

const fetchPage = runnable('fetch', (url: string) => url);
const summary = runnable('summary', (page: string) => page.length);
const byLength = namedRouter('by-length', (page: string) => (page.length > 3 ? 'summary' : []));
const runnables: Record<string, Runnable<never>> = { fetch: fetchPage, summary };
const routers = { 'by-length': byLength };
const spec = createGraphBuilder()
  .node(fetchPage)
  .node(summary)
  .route('fetch', byLength, ['summary'])
  .build()
  ._unsafeUnwrap()
  .toSpec()
  ._unsafeUnwrap();

/** Every path of the spec's JSON, so a property can replace any one of them. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [at];
  return [
    at,
    ...Object.entries(value).flatMap(([k, v]) =>
      paths(v, [...at, Array.isArray(value) ? Number(k) : k]),
    ),
  ];
}
const PATHS = paths(spec).filter((p) => p.length > 0 && p[0] !== 'fingerprint');

function replaced(path: readonly (string | number)[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(spec)) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1] as string | number] = value;
  delete copy['fingerprint']; // a changed spec keeps no pinned fingerprint
  return copy;
}

describe('graphFromSpec', () => {
  it('answers any value as a spec with invalid_config', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (value) => {
        const outcome = await settle(() => graphFromSpec(value, { runnables, routers }));
        expectErr(outcome, { codes: ['invalid_config'], input: value });
      }),
      RUNS,
    );
  });

  it('answers any field replaced by any value with a typed Err, or builds the graph', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), anyValue, async (path, value) => {
        const outcome = await settle(() =>
          graphFromSpec(replaced(path, value), { runnables, routers }),
        );
        if (outcome.kind !== 'ok') expectErr(outcome, { input: [path, value] });
      }),
      RUNS,
    );
  });

  it('answers any bindings with a typed Err', async () => {
    const bindings = fc.oneof(
      anyValue,
      fc.record({ runnables: mostly(fc.constant(runnables)), routers: anyValue }),
      fc.record({ runnables: anyValue, routers: mostly(fc.constant(routers)) }),
    );
    await fc.assert(
      fc.asyncProperty(bindings, async (value) => {
        const outcome = await settle(() => graphFromSpec(spec, value as never));
        if (outcome.kind !== 'ok') expectErr(outcome, { input: value });
      }),
      RUNS,
    );
  });
});

describe('the graph builder', () => {
  it('answers any argument to any method with a typed Err from build', async () => {
    const methods = fc.constantFrom('node', 'edge', 'route', 'entry', 'finish');
    await fc.assert(
      fc.asyncProperty(methods, anyValue, anyValue, anyValue, async (method, a, b, c) => {
        const outcome = await settle(() => {
          const base = createGraphBuilder().node(fetchPage).node(summary).edge('fetch', 'summary');
          const loose = base as unknown as Record<string, (...args: unknown[]) => typeof base>;
          return (loose[method] as (...args: unknown[]) => typeof base).call(base, a, b, c).build();
        });
        if (outcome.kind === 'ok') expectOk(outcome);
        else expectErr(outcome, { input: [method, a, b, c] });
      }),
      RUNS,
    );
  });
});
