import { describe, expect, it, vi } from 'vitest';
import { getFreePort } from './free-port.js';
import { requireRedis } from './require-redis.js';
import { isCi, requireServer } from './require-server.js';
import { requireTemporal } from './require-temporal.js';

const ci = { CI: 'true' };
const local = {};

describe('requireServer', () => {
  it('runs the suite when the server is available, in CI or not', () => {
    const warn = vi.fn();
    expect(requireServer('Redis', true, 'start it', { env: local, warn })).toBe(true);
    expect(requireServer('Redis', true, 'start it', { env: ci, warn })).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('skips with a message saying how to enable the server when it is missing locally', () => {
    const warn = vi.fn();
    expect(requireServer('Redis', false, 'run `redis-server`.', { env: local, warn })).toBe(false);
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]?.[0]).toMatch(/Redis.*run `redis-server`\./);
  });

  it('fails, never skips, when the server is missing under CI=true', () => {
    const warn = vi.fn();
    expect(() => requireServer('Redis', false, 'run it.', { env: ci, warn })).toThrow(
      expect.objectContaining({
        code: 'SERVER_UNAVAILABLE',
        message: expect.stringContaining('run it.'),
      }),
    );
    expect(warn).not.toHaveBeenCalled();
  });

  it('treats only CI=true as CI', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(isCi({})).toBe(false);
  });
});

describe('requireRedis and requireTemporal', () => {
  it('fail under CI=true when nothing listens at REDIS_URL', async () => {
    const url = `redis://127.0.0.1:${await getFreePort()}`;
    const started = Date.now();
    await expect(requireRedis({ url, env: ci })).rejects.toMatchObject({
      code: 'SERVER_UNAVAILABLE',
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('skip locally when nothing listens at REDIS_URL', async () => {
    const url = `redis://127.0.0.1:${await getFreePort()}`;
    const warn = vi.fn();
    await expect(requireRedis({ url, env: local, warn })).resolves.toBe(false);
    expect(warn.mock.calls[0]?.[0]).toContain('REDIS_URL');
  });

  it('fail under CI=true when there is no temporal binary', () => {
    expect(() => requireTemporal({ binary: undefined, env: ci })).toThrow(
      expect.objectContaining({ code: 'SERVER_UNAVAILABLE' }),
    );
  });
});
