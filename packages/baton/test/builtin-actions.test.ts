import { runnable } from '@baton/core';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrchestrator, withBuiltinActions, type Orchestrator } from '../src/index.js';

let dir: string;
let outside: string;
let server: Server;
let port: number;
let slowRequests = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-actions-'));
  outside = await mkdtemp(join(tmpdir(), 'baton-outside-'));
  await writeFile(join(outside, 'secret.txt'), 'secret');
  await writeFile(join(dir, 'hello.txt'), 'hello');
  await symlink(outside, join(dir, 'escape'));
  server = createServer((req, res) => {
    if (req.url === '/json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, method: req.method }));
    } else if (req.url === '/echo') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(body));
    } else if (req.url === '/slow') {
      slowRequests++;
      setTimeout(() => res.end('late'), 2_000).unref();
    } else if (req.url === '/redirect-out') {
      res.statusCode = 302;
      res.setHeader('location', 'http://example.invalid/');
      res.end();
    } else if (req.url === '/redirect-in') {
      res.statusCode = 302;
      res.setHeader('location', '/json');
      res.end();
    } else {
      res.statusCode = 503;
      res.end('down');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

function orchestrator(settings: Parameters<typeof withBuiltinActions>[0] = {}): Orchestrator {
  return createOrchestrator(
    withBuiltinActions({ rootDir: dir, httpAllowedHosts: ['127.0.0.1'], ...settings }),
  )._unsafeUnwrap();
}

async function call(o: Orchestrator, action: string, parameters: Record<string, unknown>) {
  const definition = o.actions.get(action);
  if (definition === undefined) throw new Error(`no action ${action}`);
  return definition.runnable.invoke(parameters);
}

describe('http', () => {
  it('calls an allowed host and parses JSON', async () => {
    const r = await call(orchestrator(), 'http', { url: `http://127.0.0.1:${port}/json` });
    expect(r._unsafeUnwrap()).toMatchObject({ status: 200, body: { ok: true, method: 'GET' } });
  });

  it('sends a JSON body', async () => {
    const r = await call(orchestrator(), 'http', {
      url: `http://127.0.0.1:${port}/echo`,
      method: 'POST',
      body: { a: 1 },
    });
    expect(r._unsafeUnwrap()).toMatchObject({ body: '{"a":1}' });
  });

  it('refuses a host that is not allowed, also through a redirect', async () => {
    const refused = await call(orchestrator({ httpAllowedHosts: [] }), 'http', {
      url: `http://127.0.0.1:${port}/json`,
    });
    expect(refused._unsafeUnwrapErr().code).toBe('invalid_input');
    expect(refused._unsafeUnwrapErr().message).toContain('httpAllowedHosts');
    const redirected = await call(orchestrator(), 'http', {
      url: `http://127.0.0.1:${port}/redirect-out`,
    });
    expect(redirected._unsafeUnwrapErr().message).toContain('example.invalid');
    const inside = await call(orchestrator(), 'http', {
      url: `http://127.0.0.1:${port}/redirect-in`,
    });
    expect(inside._unsafeUnwrap()).toMatchObject({ body: { ok: true } });
  });

  it('fails with timeout when the server is too slow', async () => {
    const before = slowRequests;
    const r = await call(orchestrator(), 'http', {
      url: `http://127.0.0.1:${port}/slow`,
      timeoutMs: 50,
    });
    expect(r._unsafeUnwrapErr().code).toBe('timeout');
    expect(slowRequests).toBe(before + 1);
  });

  it('fails on an error status, retryable for 5xx', async () => {
    const r = await call(orchestrator(), 'http', { url: `http://127.0.0.1:${port}/missing` });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'execution_failed', retryable: true });
    expect(r._unsafeUnwrapErr().message).toContain('503');
  });

  it('refuses a URL that is not http(s)', async () => {
    const r = await call(orchestrator(), 'http', { url: 'file:///etc/passwd' });
    expect(r._unsafeUnwrapErr().code).toBe('invalid_input');
  });
});

describe('read_file and write_file', () => {
  it('reads and writes under the root directory', async () => {
    const o = orchestrator();
    expect((await call(o, 'read_file', { path: 'hello.txt' }))._unsafeUnwrap()).toBe('hello');
    const written = await call(o, 'write_file', { path: 'out/new.txt', content: 'made' });
    expect(written._unsafeUnwrap()).toEqual({ path: join('out', 'new.txt'), bytes: 4 });
    expect(await readFile(join(dir, 'out', 'new.txt'), 'utf8')).toBe('made');
    await call(o, 'write_file', { path: 'out/new.txt', content: '+more', append: true });
    expect(await readFile(join(dir, 'out', 'new.txt'), 'utf8')).toBe('made+more');
  });

  it('refuses paths that escape the root, by .., absolute path or symbolic link', async () => {
    const o = orchestrator();
    for (const path of [
      '../x.txt',
      join(outside, 'secret.txt'),
      'escape/secret.txt',
      'a/../../x',
    ]) {
      const read = await call(o, 'read_file', { path });
      expect(read._unsafeUnwrapErr().code).toBe('invalid_input');
      expect(read._unsafeUnwrapErr().message).toContain('outside the root');
    }
    const write = await call(o, 'write_file', { path: 'escape/planted.txt', content: 'x' });
    expect(write._unsafeUnwrapErr().message).toContain('outside the root');
    await expect(readFile(join(outside, 'planted.txt'))).rejects.toThrow();
  });

  it('fails with the error of a missing file', async () => {
    const r = await call(orchestrator(), 'read_file', { path: 'none.txt' });
    expect(r._unsafeUnwrapErr().message).toContain('ENOENT');
  });
});

describe('map', () => {
  it('runs an action per item with bounded concurrency, in order', async () => {
    const o = orchestrator();
    let running = 0;
    let peak = 0;
    o.registerAction(
      'square',
      async (p) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return (p['item'] as number) ** 2;
      },
      z.looseObject({ item: z.number() }),
    )._unsafeUnwrap();
    const r = await call(o, 'map', {
      items: [1, 2, 3, 4, 5, 6, 7],
      action: 'square',
      concurrency: 2,
    });
    expect(r._unsafeUnwrap()).toEqual([1, 4, 9, 16, 25, 36, 49]);
    expect(peak).toBe(2);
  });

  it('checks each item against the action schema, and refuses unknown actions', async () => {
    const o = orchestrator();
    o.registerAction('num', (p) => p['item'], z.looseObject({ item: z.number() }))._unsafeUnwrap();
    const bad = await call(o, 'map', { items: [1, 'two'], action: 'num' });
    expect(bad._unsafeUnwrapErr().code).toBe('invalid_input');
    expect(bad._unsafeUnwrapErr().message).toContain('item');
    const unknown = await call(o, 'map', { items: [1], action: 'nope' });
    expect(unknown._unsafeUnwrapErr().message).toContain('unknown action "nope"');
  });
});

describe('shell', () => {
  it('is off by default: its schema refuses every task, and a run fails', async () => {
    const o = orchestrator();
    const shell = o.actions.get('shell');
    expect(shell?.schema?.safeParse({ command: 'echo' }).success).toBe(false);
    const r = await call(o, 'shell', { command: 'echo', args: ['hi'] });
    expect(r._unsafeUnwrapErr().code).toBe('invalid_state');
    expect(r._unsafeUnwrapErr().message).toContain('withBuiltinActions({ shell: true })');
  });

  it('runs a program in the root directory when enabled', async () => {
    const o = orchestrator({ shell: true });
    const r = await call(o, 'shell', { command: 'cat', args: ['hello.txt'] });
    expect(r._unsafeUnwrap()).toEqual({ exitCode: 0, stdout: 'hello', stderr: '' });
    const failed = await call(o, 'shell', { command: 'cat', args: ['missing.txt'] });
    expect(failed._unsafeUnwrapErr()).toMatchObject({ code: 'execution_failed' });
    expect(failed._unsafeUnwrapErr().message).toContain('exit code 1');
  });
});

describe('template, generate_text and chat', () => {
  it('template returns its (already rendered) string', async () => {
    const r = await call(orchestrator(), 'template', { template: 'Dear {name}' });
    expect(r._unsafeUnwrap()).toBe('Dear {name}');
  });

  it('generate_text and chat answer through the model registry', async () => {
    const o = orchestrator();
    o.registerModel({
      name: 'm',
      capabilities: ['text', 'chat'],
      costPerMTokIn: 1,
      costPerMTokOut: 1,
      runnable: runnable('m', (input: { messages: readonly { content: string }[] }) =>
        input.messages.map((m) => m.content).join('|'),
      ),
    })._unsafeUnwrap();
    expect((await call(o, 'generate_text', { prompt: 'p', system: 's' }))._unsafeUnwrap()).toBe(
      's|p',
    );
    const chat = await call(o, 'chat', {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
      ],
    });
    expect(chat._unsafeUnwrap()).toBe('a|b');
    const bad = await call(o, 'chat', { messages: [] });
    expect(bad._unsafeUnwrapErr().code).toBe('invalid_input');
    const none = await call(o, 'generate_text', { prompt: 'p', capabilities: ['vision'] });
    expect(none._unsafeUnwrapErr().code).toBe('not_found');
  });
});

describe('withBuiltinActions', () => {
  it('refuses bad settings naming the option', () => {
    const bad = createOrchestrator(withBuiltinActions({ mapConcurrency: 0 }));
    expect(bad._unsafeUnwrapErr().message).toContain('withBuiltinActions');
  });
});
