import { runnable } from '@baton/core';
import { createGraphBuilder, withNodePure } from '@baton/graph';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createBatonWorker } from './create-baton-worker.js';

const pureGraph = () =>
  createGraphBuilder()
    .node(
      runnable('double', (n: number) => n * 2),
      withNodePure(),
    )
    .build()
    ._unsafeUnwrap();
const PURE_NODES = fileURLToPath(new URL('../../test/workflows/pure-nodes.ts', import.meta.url));

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

  it('refuses a graph with a pure node when no pure runnables are bundled', async () => {
    const error = (await createBatonWorker({ graphs: [pureGraph()] }))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      code: 'invalid_config',
      details: { field: 'pureRunnablesPath' },
    });
    expect(error.message).toContain('node "double" is pure');
  });

  it('refuses pureRunnablesPath with a prebuilt bundle, or a module that does not load', async () => {
    const bundled = await createBatonWorker({
      pureRunnablesPath: PURE_NODES,
      workflowBundle: { code: '' },
    });
    expect(bundled._unsafeUnwrapErr().message).toContain('prebuilt workflowBundle');
    const missing = await createBatonWorker({ pureRunnablesPath: '/nowhere/pure-nodes.js' });
    expect(missing._unsafeUnwrapErr()).toMatchObject({ code: 'invalid_config' });
    expect(missing._unsafeUnwrapErr().message).toContain('could not be loaded');
  });

  it('loads pureRunnablesPath and accepts graphs whose pure nodes it registers', async () => {
    // Past the check, it only fails to connect.
    const error = (
      await createBatonWorker({
        address: '127.0.0.1:1',
        graphs: [pureGraph()],
        pureRunnablesPath: PURE_NODES,
      })
    )._unsafeUnwrapErr();
    expect(error.code).toBe('dependency_failed');
  });
});
