import { runnable, type GraphSpec } from '@baton/core';
import {
  createGraph,
  namedRouter,
  withGraphName,
  withNodePriority,
  withNodePure,
  withNodeRetries,
  withNodeRetryPolicy,
  withNodeTimeout,
  withNodeTriggerRule,
} from '@baton/graph';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dagEdges } from '../../../graph/test/support.js';
import { jsonBytes, utf8Length } from './graph-wire.js';
import { decodeSpec, encodeSpec, unsupportedFeature } from './wire-spec.js';

const step = runnable('step', (x: unknown) => x);
const other = runnable('other', (x: unknown) => x);

/** A random valid spec: shared and distinct runnables, settings, routers, entry/finish points. */
const specArb: fc.Arbitrary<GraphSpec> = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc
    .record({
      edges: dagEdges(n),
      priorities: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      retries: fc.array(fc.option(fc.integer({ min: 0, max: 3 })), { minLength: n, maxLength: n }),
      delays: fc.array(fc.integer({ min: 0, max: 500 }), { minLength: n, maxLength: n }),
      timeouts: fc.array(fc.integer({ min: 0, max: 9_000 }), { minLength: n, maxLength: n }),
      shared: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      joins: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      pure: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    })
    .map((s) => {
      const g = createGraph(withGraphName('wire'))._unsafeUnwrap();
      for (let i = 0; i < n; i++) {
        const r = s.retries[i];
        g.addNode(
          `n${i}`,
          s.shared[i] === true ? step : runnable(`own${i}`, (x: unknown) => x),
          withNodePriority(s.priorities[i] as number),
          ...(r === null || r === undefined ? [] : [withNodeRetries(r)]),
          withNodeRetryPolicy({ initialDelayMs: s.delays[i] as number }),
          withNodeTimeout(s.timeouts[i] as number),
          ...(s.joins[i] === true ? [withNodeTriggerRule('none_failed_min_one_success')] : []),
          withNodePure(s.pure[i] === true),
        )._unsafeUnwrap();
      }
      const routed = new Map<number, string[]>();
      for (const e of s.edges) {
        if (e.kind === 'conditional')
          routed.set(e.from, [...(routed.get(e.from) ?? []), `n${e.to}`]);
        else
          g.addEdge(`n${e.from}`, `n${e.to}`, { required: e.kind === 'required' })._unsafeUnwrap();
      }
      for (const [from, targets] of routed)
        g.addConditionalEdges(
          `n${from}`,
          namedRouter(`r${from}`, () => targets),
          targets,
        )._unsafeUnwrap();
      return g.toSpec()._unsafeUnwrap();
    }),
);

describe('the wire form of a GraphSpec', () => {
  it('decodes to the spec it encodes, fingerprint included', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const wire = JSON.parse(JSON.stringify(encodeSpec(spec))) as ReturnType<typeof encodeSpec>;
        expect(decodeSpec(wire)).toEqual(spec);
      }),
      { numRuns: 100 },
    );
  });

  it('is much smaller than the plain spec for a large graph', () => {
    const g = createGraph(withGraphName('big'))._unsafeUnwrap();
    for (let i = 0; i < 2_000; i++) {
      g.addNode(`node-${i}`, i % 2 === 0 ? step : other)._unsafeUnwrap();
      if (i > 0) g.addEdge(`node-${i - 1}`, `node-${i}`)._unsafeUnwrap();
    }
    const spec = g.toSpec()._unsafeUnwrap();
    expect(jsonBytes(encodeSpec(spec)) * 3).toBeLessThan(jsonBytes(spec));
  });

  it('names the first feature the interpreter does not run', () => {
    const g = createGraph(withGraphName('f'))._unsafeUnwrap();
    g.addNode('a', step)._unsafeUnwrap();
    const spec = g.toSpec()._unsafeUnwrap();
    expect(unsupportedFeature(spec)).toBeUndefined();
    const node = spec.nodes[0] as GraphSpec['nodes'][number];
    expect(unsupportedFeature({ ...spec, nodes: [{ ...node, cache: {} }] })).toMatch(
      /node "a" caches/,
    );
    expect(unsupportedFeature({ ...spec, nodes: [{ ...node, kind: 'loop' }] })).toMatch(
      /node "a" has "kind" \(a loop node\)/,
    );
    expect(unsupportedFeature({ ...spec, loops: [] } as GraphSpec)).toMatch(/spec field "loops"/);
    expect(unsupportedFeature({ ...spec, version: 2 } as unknown as GraphSpec)).toMatch(
      /version 2/,
    );
    expect(
      unsupportedFeature({
        ...spec,
        settings: { ...spec.settings, checkpoint: true },
      } as GraphSpec),
    ).toMatch(/graph setting "checkpoint"/);
    expect(unsupportedFeature({ ...spec, nodes: [{ ...node, triggerRule: 'sometimes' }] })).toMatch(
      /trigger rule "sometimes"/,
    );
  });

  it('counts UTF-8 bytes as Buffer does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(utf8Length(text)).toBe(Buffer.byteLength(text));
      }),
    );
    expect(jsonBytes(undefined)).toBe(0);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonBytes(cyclic)).toBe(Infinity);
  });
});
