import { describe, expect, it } from 'vitest';
import { createRegistry } from './provider-registry.js';

describe('Registry', () => {
  it('registers, gets, lists sorted, unregisters', () => {
    const r = createRegistry<number>('chain provider');
    expect(r.register('simple', 1).isOk()).toBe(true);
    expect(r.register('fancy', 2).isOk()).toBe(true);
    expect(r.get('simple')._unsafeUnwrap()).toBe(1);
    expect(r.has('fancy')).toBe(true);
    expect(r.list()).toEqual(['fancy', 'simple']);
    expect(r.unregister('fancy')).toBe(true);
    expect(r.unregister('fancy')).toBe(false);
  });

  it('rejects duplicates and empty names with invalid_config', () => {
    const r = createRegistry<number>('graph provider', [['default', 1]]);
    const dup = r.register('default', 2)._unsafeUnwrapErr();
    expect(dup.code).toBe('invalid_config');
    expect(dup.message).toContain('"default" is already registered');
    expect(r.register('  ', 3)._unsafeUnwrapErr().code).toBe('invalid_config');
  });

  it('fails an unknown name with not_found listing what is registered', () => {
    const r = createRegistry<number>('workflow provider', [
      ['temporal', 1],
      ['local', 2],
    ]);
    const e = r.get('nope')._unsafeUnwrapErr();
    expect(e.code).toBe('not_found');
    expect(e.message).toBe('unknown workflow provider "nope"; registered: local, temporal');
  });

  it('clones so that callers do not share state', () => {
    const a = createRegistry<number>('p', [['x', 1]]);
    const b = a.clone();
    b.register('y', 2);
    expect(a.has('y')).toBe(false);
    expect(b.has('x')).toBe(true);
  });
});
