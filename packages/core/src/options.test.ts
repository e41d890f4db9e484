import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveOptions, type Option } from './options.js';

interface Config {
  readonly name: string;
  readonly timeoutMs: number;
  readonly tags: readonly string[];
}
const schema = z.object({
  name: z.string().min(1),
  timeoutMs: z.number().nonnegative(),
  tags: z.array(z.string()),
});
const defaults: Config = { name: 'x', timeoutMs: 0, tags: [] };
const withName =
  (name: string): Option<Config> =>
  (d) => {
    d.name = name;
  };
const withTimeout =
  (ms: number): Option<Config> =>
  (d) => {
    d.timeoutMs = ms;
  };

describe('resolveOptions', () => {
  it('applies options to a copy of the defaults; the last one wins; the result is frozen', () => {
    const config = resolveOptions(
      defaults,
      [withName('a'), withTimeout(5), withName('b')],
      schema,
    )._unsafeUnwrap();
    expect(config).toEqual({ name: 'b', timeoutMs: 5, tags: [] });
    expect(Object.isFrozen(config)).toBe(true);
    expect(defaults.name).toBe('x');
  });

  it('names the bad field and its value', () => {
    const e = resolveOptions(defaults, [withTimeout(-1)], schema, 'createChain')._unsafeUnwrapErr();
    expect(e.code).toBe('invalid_config');
    expect(e.message).toContain('createChain');
    expect(e.message).toContain('timeoutMs = -1');
    expect(e.details).toMatchObject({ field: 'timeoutMs', value: -1 });
  });

  it('reports NaN legibly', () => {
    const e = resolveOptions(defaults, [withTimeout(Number.NaN)], schema)._unsafeUnwrapErr();
    expect(e.message).toContain('timeoutMs = NaN');
  });

  it('turns a throwing option or a non-function into invalid_config, never a throw', () => {
    const throwing: Option<Config> = () => {
      throw new Error('nope');
    };
    expect(resolveOptions(defaults, [throwing], schema)._unsafeUnwrapErr().code).toBe(
      'invalid_config',
    );
    const notAnOption = 42 as unknown as Option<Config>;
    const e = resolveOptions(defaults, [notAnOption], schema)._unsafeUnwrapErr();
    expect(e.message).toContain('option #1 is 42');
  });

  it('keeps functions and class instances the schema passes through', () => {
    interface WithFn {
      readonly fn: () => number;
    }
    const fn = (): number => 1;
    const r = resolveOptions<WithFn>(
      { fn },
      [],
      z.object({ fn: z.custom<() => number>((v) => typeof v === 'function') }),
    );
    expect(r._unsafeUnwrap().fn).toBe(fn);
  });
});
