import { runnable } from '@baton/core';
import { createGraphBuilder, withGraphCheckpointer, withGraphName } from '@baton/graph';
import { createInMemoryCheckpointStore } from '@baton/memory';
import { request } from 'node:http';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTrigger } from './create-trigger.js';
import type { Trigger } from './trigger.js';
import { withTriggerConcurrency, withTriggerRunId, type TriggerOption } from './trigger-options.js';
import { signWebhook } from './webhook-options.js';
import { webhookSource, type WebhookSource } from './webhook-source.js';
import type { TriggerActivity } from './trigger-activity.js';

const SECRET = 'a-shared-secret-of-some-length';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Record<string, unknown>;
}

function post(
  source: WebhookSource,
  body: string | Buffer,
  headers: Record<string, string> = {},
  path = '/hooks',
): Promise<Reply> {
  const { host, port } = source.address();
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
        });
      });
    });
    // The server may close the connection before the whole body is written (413).
    req.on('error', (error) => (error.message.includes('EPIPE') ? undefined : reject(error)));
    req.end(body);
  });
}

const now = (): number => Math.floor(Date.now() / 1000);

function signed(id: string | undefined, body: string, t = now()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-baton-signature': signWebhook(SECRET, id ?? '', body, t),
    ...(id === undefined ? {} : { 'x-baton-event-id': id }),
  };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Sends the headers and part of a body that never ends; resolves with the response status. */
function postPartial(source: WebhookSource, headers: Record<string, string>): Promise<number> {
  const { host, port } = source.address();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path: '/hooks',
        method: 'POST',
        headers: { ...headers, 'content-length': '60' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      },
    );
    req.on('error', (error) => (error.message.includes('EPIPE') ? undefined : reject(error)));
    req.write('{"n": "slo');
  });
}

async function setUp(concurrency = 2, ...options: TriggerOption[]) {
  const store = createInMemoryCheckpointStore()._unsafeUnwrap();
  const gates = new Map<string, () => void>();
  const ran: string[] = [];
  const work = runnable('work', async (input: { n: string }) => {
    ran.push(input.n);
    if (input.n.startsWith('hold'))
      await new Promise<void>((resolve) => gates.set(input.n, resolve));
    return input.n;
  });
  const graph = createGraphBuilder()
    .node(work)
    .build(withGraphName('hook'), withGraphCheckpointer(store))
    ._unsafeUnwrap();
  const source = (
    await webhookSource({ secret: SECRET, path: '/hooks', maxBodyBytes: 64 })
  )._unsafeUnwrap();
  const trigger: Trigger = createTrigger(
    source,
    graph,
    withTriggerConcurrency(concurrency),
    ...options,
  )._unsafeUnwrap();
  trigger.start()._unsafeUnwrap();
  cleanups.push(() => trigger.stop({ drain: false }));
  return { source, trigger, ran, gates, store };
}

describe('webhookSource', () => {
  it('answers 202 with the run id, and 200 with the same run id for a duplicate', async () => {
    const { source, trigger, ran } = await setUp();
    const body = JSON.stringify({ n: 'one' });
    const completed = firstValueFrom(trigger.events$.pipe(filter((a) => a.type === 'completed')));
    const first = await post(source, body, signed('evt-1', body));
    expect(first).toMatchObject({
      status: 202,
      body: { eventId: 'evt-1', runId: 'trigger:evt-1' },
    });
    await completed;
    const again = await post(source, body, signed('evt-1', body));
    expect(again).toMatchObject({ status: 200, body: { runId: 'trigger:evt-1', duplicate: true } });
    expect(ran).toEqual(['one']);
  });

  it('accepts the secret as a bearer token; refuses a bad signature or secret with 401', async () => {
    const { source, ran } = await setUp();
    const body = JSON.stringify({ n: 'two' });
    const bearer = await post(source, body, {
      authorization: `Bearer ${SECRET}`,
      'x-baton-event-id': 'b1',
    });
    expect(bearer.status).toBe(202);
    const forged = {
      ...signed('b2', body),
      'x-baton-signature': `t=${now()},v1=${'0'.repeat(64)}`,
    };
    expect((await post(source, body, forged)).status).toBe(401);
    expect(
      (await post(source, body, { authorization: 'Bearer wrong', 'x-baton-event-id': 'b3' }))
        .status,
    ).toBe(401);
    expect((await post(source, body, { 'x-baton-event-id': 'b4' })).status).toBe(401);
    expect(ran).toEqual(['two']);
  });

  it('answers 413 for a body over the limit, 400 for bad JSON or a missing id, 404 and 405', async () => {
    const { source, ran } = await setUp();
    const big = JSON.stringify({ n: 'x'.repeat(10_000) });
    expect((await post(source, big, signed('big', big))).status).toBe(413);
    const broken = '{"n": ';
    expect((await post(source, broken, signed('broken', broken))).status).toBe(400);
    const body = JSON.stringify({ n: 'three' });
    const noId = await post(source, body, signed(undefined, body));
    expect(noId).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('x-baton-event-id') },
    });
    expect((await post(source, body, signed('p', body), '/other')).status).toBe(404);
    expect(ran).toEqual([]);
  });

  it('answers 503 with Retry-After while every run slot is taken', async () => {
    const { source, trigger, gates, ran } = await setUp(1);
    const hold = JSON.stringify({ n: 'hold-1' });
    expect((await post(source, hold, signed('h1', hold))).status).toBe(202);
    const next = JSON.stringify({ n: 'next' });
    const busy = await post(source, next, signed('n1', next));
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    const completed = firstValueFrom(trigger.events$.pipe(filter((a) => a.type === 'completed')));
    gates.get('hold-1')?.();
    await completed;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await post(source, next, signed('n1', next))).status).toBe(202);
    expect(ran).toEqual(['hold-1', 'next']);
  });

  it('closes the server on stop; refuses bad options with invalid_config', async () => {
    const { source, trigger } = await setUp();
    await trigger.stop();
    const body = JSON.stringify({ n: 'late' });
    await expect(post(source, body, signed('late', body))).rejects.toThrow();
    const short = await webhookSource({ secret: 'short' });
    expect(short._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid_config',
      details: { field: 'secret' },
    });
    expect(short._unsafeUnwrapErr().message).not.toContain('short');
    const path = await webhookSource({ secret: SECRET, path: 'hooks' });
    expect(path._unsafeUnwrapErr().details).toMatchObject({ field: 'path' });
    const limit = await webhookSource({ secret: SECRET, maxBodyBytes: 0 });
    expect(limit._unsafeUnwrapErr().details).toMatchObject({ field: 'maxBodyBytes' });
  });

  it('answers a duplicate of a running event with 200 and its run id; 422 when dead-lettered before its run was recorded', async () => {
    const { source, gates, ran } = await setUp(2);
    const hold = JSON.stringify({ n: 'hold-2' });
    expect((await post(source, hold, signed('h2', hold))).status).toBe(202);
    const dup = await post(source, hold, signed('h2', hold));
    expect(dup).toMatchObject({ status: 200, body: { runId: 'trigger:h2', duplicate: true } });
    gates.get('hold-2')?.();
    expect(ran).toEqual(['hold-2']);

    const bad = await setUp(
      1,
      withTriggerRunId(() => ''),
    );
    const body = JSON.stringify({ n: 'x' });
    const refused = await post(bad.source, body, signed('x1', body));
    expect(refused).toMatchObject({ status: 422, body: { eventId: 'x1', code: 'invalid_input' } });
    expect(bad.ran).toEqual([]);
  });

  it('signs the timestamp and the event id: a replay under another id or outside the tolerance gets 401', async () => {
    const { source, ran } = await setUp();
    const body = JSON.stringify({ n: 'signed' });
    expect((await post(source, body, signed('s1', body))).status).toBe(202);
    // The same body and signature under a new event id.
    const replayed = { ...signed('s1', body), 'x-baton-event-id': 's2' };
    expect(await post(source, body, replayed)).toMatchObject({
      status: 401,
      body: { error: 'bad signature' },
    });
    const old = await post(source, body, signed('s3', body, now() - 301));
    expect(old).toMatchObject({
      status: 401,
      body: { error: expect.stringContaining('tolerance 300 s') },
    });
    const bodyOnly = { ...signed('s4', body), 'x-baton-signature': 'sha256=' + '0'.repeat(64) };
    expect((await post(source, body, bodyOnly)).status).toBe(401);
    expect(ran).toEqual(['signed']);
    const tolerance = await webhookSource({ secret: SECRET, toleranceSeconds: 0 });
    expect(tolerance._unsafeUnwrapErr().details).toMatchObject({ field: 'toleranceSeconds' });
  });

  it('checks a bearer token before reading the body; answers 408 to a body that does not arrive', async () => {
    const source = (
      await webhookSource({ secret: SECRET, path: '/hooks', requestTimeoutMs: 50 })
    )._unsafeUnwrap();
    cleanups.push(() => source.close());
    expect(
      await postPartial(source, { authorization: 'Bearer wrong', 'x-baton-event-id': 'p1' }),
    ).toBe(401);
    expect(await postPartial(source, signed('p2', '{"n": "slow"}'))).toBe(408);
  });

  it('reports events answered 202 whose runs are unfinished when the endpoint closes, naming their runs', async () => {
    const { source, trigger } = await setUp(1);
    const seen: TriggerActivity[] = [];
    trigger.events$.subscribe((a) => seen.push(a));
    const hold = JSON.stringify({ n: 'hold-3' });
    expect((await post(source, hold, signed('h3', hold))).status).toBe(202);
    await trigger.stop({ drain: false });
    const report = seen.find((a) => a.type === 'source-error');
    expect(report?.error).toMatchObject({
      code: 'invalid_state',
      details: { unfinished: [{ eventId: 'h3', runId: 'trigger:h3' }] },
    });
    expect(report?.error?.message).toContain('baton resume');
  });
});
