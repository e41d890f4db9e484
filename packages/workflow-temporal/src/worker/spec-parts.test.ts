import type { GraphSpec } from '@baton/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSpec, type WireSpec } from '../workflow/wire-spec.js';
import { graphSpecActivity, specParts } from './graph-activities.js';

function spec(names: readonly string[]): GraphSpec {
  const policy = { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1, multiplier: 2, jitter: 0 };
  return {
    version: 1,
    name: 'parts',
    description: '',
    settings: {
      timeoutMs: 0,
      retries: 0,
      maxWorkers: 5,
      parallel: true,
      queueSize: null,
      failFast: true,
    },
    nodes: names.map((name) => ({
      name,
      runnable: 'r',
      priority: 2,
      retryPolicy: policy,
      timeoutMs: 0,
    })),
    edges: names
      .slice(1)
      .map((name, i) => ({ from: names[i] as string, to: name, required: true })),
    conditionalEdges: [],
    fingerprint: 'f',
  };
}

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

describe('specParts', () => {
  it('keeps a wire spec within the limit whole', () => {
    const wire = encodeSpec(spec(['a', 'b']));
    expect(specParts(wire, 10_000)).toBe(wire);
  });

  it('splits a larger one into parts that are each within the limit and join into the same JSON', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), {
          minLength: 2,
          maxLength: 60,
        }),
        fc.integer({ min: 40, max: 400 }),
        (names, max) => {
          const unique = [...new Set(names)];
          fc.pre(unique.length >= 2);
          const wire = encodeSpec(spec(unique));
          const parts = specParts(wire, max);
          if (!Array.isArray(parts)) {
            expect(bytes(wire)).toBeLessThanOrEqual(max);
            return;
          }
          expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => i));
          for (const p of parts) {
            expect(p.parts).toBe(parts.length);
            expect(bytes(p.text)).toBeLessThanOrEqual(max);
          }
          expect(JSON.parse(parts.map((p) => p.text).join('')) as WireSpec).toEqual(wire);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the batonGraphSpec activity answers an unknown fingerprint or part with a failure saying so', async () => {
    const activity = graphSpecActivity(new Map([['f', spec(['a', 'b'])]]));
    await expect(activity('nope')).rejects.toMatchObject({ type: 'not_found' });
    expect(await activity('f')).toMatchObject({ v: 1, name: 'parts' });
  });
});
