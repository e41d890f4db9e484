import { runnable } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { createBatonWorker } from './create-baton-worker.js';

describe('createBatonWorker', () => {
  it.each([
    ['taskQueue', { taskQueue: '' }],
    ['namespace', { namespace: 7 }],
    ['heartbeatIntervalMs', { heartbeatIntervalMs: 0 }],
    ['shutdownGraceTimeMs', { shutdownGraceTimeMs: -1 }],
  ])('a bad %s fails with invalid_config before connecting', async (field, config) => {
    const error = (await createBatonWorker(config as never))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain(field);
  });

  it('rejects activities that are not uniquely named Runnables', async () => {
    const a = runnable('a', () => 1);
    const error = (await createBatonWorker({ activities: [a, a] }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ code: 'invalid_config', details: { name: 'a' } });
  });

  it('fails with dependency_failed when no server listens', async () => {
    const error = (await createBatonWorker({ address: '127.0.0.1:1' }))._unsafeUnwrapErr();
    expect(error.code).toBe('dependency_failed');
    expect(error.cause).toBeDefined();
  });
});
