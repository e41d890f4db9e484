import { afterEach, describe, expect, it, vi } from 'vitest';
import { newRunId } from './run-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u;

describe('newRunId', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('gives ids in the format of a version-4 UUID', () => {
    for (let i = 0; i < 1_000; i++) expect(newRunId()).toMatch(UUID_V4);
  });

  it('never repeats an id, also across the 256-id blocks that share a head', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) ids.add(newRunId());
    expect(ids.size).toBe(20_000);
  });

  it('draws a new random prefix per module instance (as per process)', async () => {
    const a = newRunId();
    vi.resetModules();
    const other = await import('./run-id.js');
    const b = other.newRunId();
    expect(b).toMatch(UUID_V4);
    expect(a.slice(0, 24)).not.toBe(b.slice(0, 24));
  });

  it('still works where Web Crypto is missing (Math.random seeds the prefix)', async () => {
    vi.stubGlobal('crypto', undefined);
    vi.resetModules();
    const { newRunId: fresh } = await import('./run-id.js');
    const ids = [fresh(), fresh()];
    expect(ids[0]).toMatch(UUID_V4);
    expect(ids[1]).toMatch(UUID_V4);
    expect(ids[0]).not.toBe(ids[1]);
  });
});
