import { connect } from 'node:net';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTemporal, startTemporalDevServer } from '@baton/test-support';
import type { TemporalDevServer } from '@baton/test-support';

function portIsOpen(address: string): Promise<boolean> {
  const [host = '', port = ''] = address.split(':');
  return new Promise((resolveOpen) => {
    const socket = connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('error', () => resolveOpen(false));
  });
}

describe.runIf(requireTemporal())('startTemporalDevServer', () => {
  let server: TemporalDevServer;

  beforeAll(async () => {
    const started = Date.now();
    server = await startTemporalDevServer();
    console.info(
      `[test-support] Temporal dev server ready on ${server.address} in ${Date.now() - started} ms`,
    );
  });

  afterAll(() => server.stop());

  it('serves the default namespace on a loopback port', async () => {
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const connection = await Connection.connect({
      address: server.address,
      connectTimeout: 10_000,
    });
    try {
      const response = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(response.namespaceInfo?.name).toBe('default');
    } finally {
      await connection.close();
    }
  });

  it('stop() shuts the server down and can be called twice', async () => {
    const other = await startTemporalDevServer();
    expect(await portIsOpen(other.address)).toBe(true);
    await other.stop();
    expect(await portIsOpen(other.address)).toBe(false);
    await other.stop();
  });
});

describe('startTemporalDevServer without a working binary', () => {
  it('rejects with TEMPORAL_START_FAILED and the output when the process exits', async () => {
    await expect(startTemporalDevServer({ binary: '/nonexistent/temporal' })).rejects.toMatchObject(
      {
        code: 'TEMPORAL_START_FAILED',
        message: expect.stringMatching(/exited during startup[\s\S]*No such file/),
      },
    );
  });

  it('validates its options up front', async () => {
    await expect(startTemporalDevServer({ startTimeoutMs: 0 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringContaining('startTimeoutMs'),
    });
  });
});
