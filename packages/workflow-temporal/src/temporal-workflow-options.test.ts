import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTemporalWorkflow } from './create-temporal-workflow.js';
import {
  withTemporalAddress,
  withTemporalCheckTimeout,
  withTemporalConnection,
  withTemporalRpcTimeout,
  withWorkflowDescription,
  withWorkflowIdPrefix,
  withWorkflowMetadata,
  withWorkflowName,
  withWorkflowRetries,
  withWorkflowSearchAttributes,
  withWorkflowTaskQueue,
  withWorkflowTimeout,
  type WorkflowOption,
} from './temporal-workflow-options.js';

async function processOrder(input: { id: string }): Promise<string> {
  return Promise.resolve(input.id);
}

describe('createTemporalWorkflow options', () => {
  it('defaults: named after the workflow type, queue baton, local server, no timeout or retries', () => {
    const wf = createTemporalWorkflow(processOrder)._unsafeUnwrap();
    expect(wf.name).toBe('processOrder');
    expect(wf.workflowType).toBe('processOrder');
    expect(wf.config).toMatchObject({
      taskQueue: 'baton',
      address: 'localhost:7233',
      namespace: 'default',
      timeoutMs: 0,
      retries: 0,
      metadata: {},
      provider: 'temporal',
    });
  });

  it('applies every option; the last one wins', () => {
    const wf = createTemporalWorkflow(
      'orders',
      withWorkflowName('first'),
      withWorkflowName('orders-v2'),
      withWorkflowDescription('charges and ships'),
      withWorkflowTimeout(60_000),
      withWorkflowRetries(2),
      withWorkflowTaskQueue('orders'),
      withWorkflowMetadata({ team: 'payments' }),
      withWorkflowIdPrefix('order-'),
      withTemporalAddress('temporal.internal:7233', 'prod'),
      withTemporalCheckTimeout(500),
    )._unsafeUnwrap();
    expect(wf.name).toBe('orders-v2');
    expect(wf.description).toBe('charges and ships');
    expect(wf.workflowType).toBe('orders');
    expect(wf.config).toMatchObject({
      timeoutMs: 60_000,
      retries: 2,
      taskQueue: 'orders',
      metadata: { team: 'payments' },
      idPrefix: 'order-',
      address: 'temporal.internal:7233',
      namespace: 'prod',
      checkTimeoutMs: 500,
    });
  });

  it.each<[string, WorkflowOption]>([
    ['withWorkflowName', withWorkflowName('  ')],
    ['withWorkflowTimeout', withWorkflowTimeout(-1)],
    ['withWorkflowTimeout', withWorkflowTimeout(Number.NaN)],
    ['withWorkflowRetries', withWorkflowRetries(1.5)],
    ['withWorkflowRetries', withWorkflowRetries(-1)],
    ['withWorkflowTaskQueue', withWorkflowTaskQueue('')],
    ['withWorkflowMetadata', withWorkflowMetadata([] as never)],
    ['withWorkflowMetadata', withWorkflowMetadata({ n: 1n })],
    ['withTemporalAddress', withTemporalAddress('localhost')],
    ['withTemporalAddress', withTemporalAddress('localhost:7233', '')],
    ['withTemporalConnection', withTemporalConnection({} as never)],
    ['withTemporalCheckTimeout', withTemporalCheckTimeout(0)],
    ['withTemporalRpcTimeout', withTemporalRpcTimeout(-1)],
    ['withWorkflowSearchAttributes', withWorkflowSearchAttributes({ 'bad name': 'x' })],
    ['withWorkflowSearchAttributes', withWorkflowSearchAttributes({ N: Number.NaN })],
    ['withWorkflowSearchAttributes', withWorkflowSearchAttributes({ N: { a: 1 } as never })],
    ['withWorkflowSearchAttributes', withWorkflowSearchAttributes({ D: new Date('nope') })],
    ['withWorkflowIdPrefix', withWorkflowIdPrefix(42 as never)],
  ])('a bad %s value fails with invalid_config naming the option', (option, bad) => {
    const error = createTemporalWorkflow('orders', bad)._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain(option);
  });

  it('rejects a definition that names no workflow type', () => {
    for (const definition of ['', () => Promise.resolve(1), 42, null]) {
      const error = createTemporalWorkflow(definition as never)._unsafeUnwrapErr();
      expect(error.code).toBe('invalid_config');
      expect(error.message).toContain('workflow type name or a named workflow function');
    }
  });

  it('rejects bad arguments of operations without contacting a server', async () => {
    const wf = createTemporalWorkflow('orders', withTemporalAddress('127.0.0.1:1'))._unsafeUnwrap();
    expect((await wf.execute({}, { workflowId: ' ' }))._unsafeUnwrapErr().code).toBe(
      'invalid_input',
    );
    expect((await wf.getResult(''))._unsafeUnwrapErr().code).toBe('invalid_input');
    expect((await wf.signal('wf-1', undefined, ''))._unsafeUnwrapErr().code).toBe('invalid_input');
    expect((await wf.query('wf-1', 7 as never, 'status'))._unsafeUnwrapErr().code).toBe(
      'invalid_input',
    );
    await wf.close();
  });

  it('a closed workflow fails with invalid_state instead of reconnecting', async () => {
    const wf = createTemporalWorkflow('orders', withTemporalAddress('127.0.0.1:1'))._unsafeUnwrap();
    await wf.close();
    const error = (await wf.getResult('wf-1'))._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain('closed');
  });

  it('check() is unhealthy within its bound when the port accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts, says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const wf = createTemporalWorkflow(
      'orders',
      withTemporalAddress(`127.0.0.1:${port}`),
      withTemporalCheckTimeout(500),
    )._unsafeUnwrap();
    const started = Date.now();
    const report = await wf.check();
    expect(report.status).toBe('unhealthy');
    expect(String(report.details?.['error'])).toContain('500 ms');
    expect(Date.now() - started).toBeLessThan(3_000);
    await wf.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('check() is unhealthy, not hanging, when nothing listens on the port', async () => {
    const wf = createTemporalWorkflow(
      'orders',
      withTemporalAddress('127.0.0.1:1'),
      withTemporalCheckTimeout(500),
    )._unsafeUnwrap();
    const started = Date.now();
    const report = await wf.check();
    expect(report.status).toBe('unhealthy');
    expect(report.component).toBe('workflow:orders');
    expect(report.details).toMatchObject({ address: '127.0.0.1:1' });
    expect(Date.now() - started).toBeLessThan(3_000);
    await wf.close();
  });
});
