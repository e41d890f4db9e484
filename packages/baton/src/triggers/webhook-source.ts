import { OrchestrationError, toOrchestrationError } from '@baton/core';
import { ResultAsync, err, errAsync, ok } from 'neverthrow';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeliveryQueue } from './delivery-queue.js';
import type { TriggerDelivery, TriggerSource } from './trigger-source.js';
import {
  bearerOnly,
  resolveWebhookOptions,
  signatureProblem,
  type ResolvedWebhookOptions,
  type WebhookSourceOptions,
} from './webhook-options.js';

/** A webhook endpoint as a trigger source; `address()` says where it listens. */
export interface WebhookSource extends TriggerSource {
  address(): { readonly host: string; readonly port: number };
}

/** What the endpoint knows of one event id. */
interface Known {
  runId?: string;
  /** Responses waiting for the run id: the first request's, then its duplicates'. */
  readonly waiting: { res: ServerResponse; duplicate: boolean }[];
}

function send(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Duplicates of one event id that may wait for its run id; beyond that, 503. */
const MAX_WAITING = 100;

/**
 * Reads the body up to `max` bytes within `timeoutMs`; `undefined` (after answering 413 or 408)
 * beyond them.
 */
function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  max: number,
  timeoutMs: number,
): Promise<Buffer | undefined> {
  const refuse = (status: number, error: string): undefined => {
    // Answer at once and close the connection: the rest of the body is never read.
    send(res, status, { error }, { connection: 'close' });
    req.removeAllListeners('data');
    req.pause();
    return undefined;
  };
  const tooLarge = (): undefined => refuse(413, `body over ${max} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve(tooLarge());
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<Buffer | undefined>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    timer = setTimeout(
      () => resolve(refuse(408, `the body did not arrive within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) resolve(tooLarge());
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
    req.on('close', () => resolve(undefined));
  }).finally(() => clearTimeout(timer));
}

class WebhookEndpoint {
  readonly queue = new DeliveryQueue<unknown>();
  readonly known = new Map<string, Known>();
  /** Set by `close()`: a released event answered 202 is no longer kept for a next pull. */
  closed = false;
  /** Events answered 202 whose runs were unfinished when the endpoint closed. */
  readonly unfinished: { readonly eventId: string; readonly runId: string }[] = [];

  constructor(
    readonly options: ResolvedWebhookOptions,
    readonly server: Server,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const o = this.options;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== o.path) return send(res, 404, { error: `not found; POST to ${o.path}` });
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' }, { allow: 'POST' });
    // A bearer token is checked before the body is read.
    const bearer = bearerOnly(req.headers, o);
    if (bearer === 'bad')
      return send(res, 401, { error: 'bad or missing secret' }, { connection: 'close' });
    const id = req.headers[o.idHeader];
    if (typeof id !== 'string' || id === '')
      return send(res, 400, { error: `missing event id header ${o.idHeader}` });
    const body = await readBody(req, res, o.maxBodyBytes, o.requestTimeoutMs);
    if (body === undefined) return;
    if (bearer === undefined) {
      const problem = signatureProblem(req.headers, id, body, o);
      if (problem !== undefined) return send(res, 401, { error: problem });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, { error: 'the body is not JSON' });
    }
    this.accept(id, payload, res);
  }

  accept(id: string, payload: unknown, res: ServerResponse): void {
    const known = this.known.get(id);
    if (known !== undefined) {
      if (known.runId !== undefined)
        return send(res, 200, { eventId: id, runId: known.runId, duplicate: true });
      if (known.waiting.length >= MAX_WAITING) {
        const retry = String(this.options.retryAfterSeconds);
        return send(
          res,
          503,
          { error: `busy: ${MAX_WAITING} duplicates of event "${id}" already wait; retry later` },
          { 'retry-after': retry },
        );
      }
      known.waiting.push({ res, duplicate: true });
      return;
    }
    if (!this.queue.pulling && this.queue.length >= this.options.queueLimit) {
      const retry = String(this.options.retryAfterSeconds);
      return send(
        res,
        503,
        { error: 'busy: every run slot is taken; retry later' },
        { 'retry-after': retry },
      );
    }
    const entry: Known = { waiting: [{ res, duplicate: false }] };
    this.remember(id, entry);
    this.queue.push(this.delivery(id, payload, entry, 1));
  }

  remember(id: string, entry: Known): void {
    this.known.set(id, entry);
    if (this.known.size > this.options.rememberIds) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }

  /** Answers every waiting request (the first with `status`, duplicates 200 with a run id). */
  answer(
    entry: Known,
    status: number,
    body: Record<string, unknown>,
    headers?: Record<string, string>,
  ): void {
    for (const { res, duplicate } of entry.waiting.splice(0)) {
      const code = duplicate && body.runId !== undefined ? 200 : status;
      send(res, code, duplicate ? { ...body, duplicate: true } : body, headers);
    }
  }

  delivery(id: string, payload: unknown, entry: Known, deliveries: number): TriggerDelivery {
    const done = ok(undefined);
    const forget = (): void => {
      if (entry.runId === undefined && this.known.get(id) === entry) this.known.delete(id);
    };
    return {
      event: { id, payload, deliveries },
      recorded: (runId) => {
        entry.runId = runId;
        this.answer(entry, 202, { eventId: id, runId });
      },
      ack: () => {
        this.answer(entry, 200, {
          eventId: id,
          ...(entry.runId === undefined ? {} : { runId: entry.runId }),
        });
        return Promise.resolve(done);
      },
      deadLetter: (failure) => {
        this.answer(entry, 422, { eventId: id, error: failure.message, code: failure.code });
        forget();
        return Promise.resolve(done);
      },
      release: () => {
        if (entry.runId === undefined) {
          // The sender has no answer yet: 503 makes it send the event again.
          const retry = String(this.options.retryAfterSeconds);
          this.answer(
            entry,
            503,
            { eventId: id, error: 'not processed; retry later' },
            { 'retry-after': retry },
          );
          forget();
        } else if (this.closed) {
          // The sender was told 202 and will not send it again; nothing pulls any more.
          const run = { eventId: id, runId: entry.runId };
          this.unfinished.push(run);
          return Promise.resolve(err(unfinishedError(this.options.name, [run])));
        } else {
          // The sender was told 202: keep the event for the next pull of this source.
          this.queue.push(this.delivery(id, payload, entry, deliveries + 1), true);
        }
        return Promise.resolve(done);
      },
    };
  }
}

/** The report of events answered 202 whose runs are unfinished when the endpoint closes. */
function unfinishedError(
  name: string,
  runs: readonly { readonly eventId: string; readonly runId: string }[],
): OrchestrationError {
  const list = runs.map((r) => `${r.eventId} (run ${r.runId})`).join(', ');
  return new OrchestrationError(
    'invalid_state',
    `${name}: closed with events answered 202 whose runs are unfinished: ${list}. They are recorded in the checkpoint store and their senders will not send them again: resume each run (graph.startOrResume(runId) or \`baton resume <runId>\`)`,
    { op: `${name}.close`, details: { unfinished: runs } },
  );
}

/**
 * An HTTP endpoint (`node:http`) whose POSTed JSON bodies are trigger events. A request needs
 * the shared secret (`x-baton-signature: t=<unix s>,v1=<HMAC-SHA256 of "t.eventId.body">`, see
 * `signWebhook`, within `toleranceSeconds`; or a bearer token, checked before the body is read)
 * and an event id header. A 202 means the run is recorded in the checkpoint store: events
 * answered 202 whose runs are unfinished when the endpoint closes make `close()` reject naming
 * their run ids (a `source-error` of the trigger); resume them with `startOrResume`/`baton resume`. Answers: 202 `{ eventId, runId }` once the run is durably recorded; 200 with
 * the same run id for a duplicate of a remembered event id (no second run); 503 with
 * `Retry-After` while the trigger is at its concurrency bound (or stops before the event was
 * recorded); 401 bad secret; 400 missing id or malformed JSON; 413 body too large; 422 when the
 * event went to the dead letter before its run was recorded. Resolves once listening.
 *
 * @example
 * const source = await webhookSource({ secret: process.env.HOOK_SECRET ?? '', port: 8080 });
 */
export function webhookSource(
  options: WebhookSourceOptions,
): ResultAsync<WebhookSource, OrchestrationError> {
  const resolved = resolveWebhookOptions(options);
  if (resolved instanceof OrchestrationError) return errAsync(resolved);
  const server = createServer();
  const endpoint = new WebhookEndpoint(resolved, server);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    endpoint.handle(req, res).catch((error: unknown) => {
      send(res, 500, { error: toOrchestrationError(error, resolved.name).message });
    });
  });
  const listening = new Promise<WebhookSource>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve(source(endpoint));
    });
  });
  return ResultAsync.fromPromise(listening, (error) =>
    toOrchestrationError(
      error,
      `${resolved.name}: listen on ${resolved.host}:${resolved.port}`,
      'dependency_failed',
    ),
  );
}

function source(endpoint: WebhookEndpoint): WebhookSource {
  const { server, queue, options } = endpoint;
  let closing: Promise<void> | undefined;
  return {
    name: `${options.name}:${options.host}${options.path}`,
    pull: (max, signal) => queue.pull(max, signal),
    address() {
      const address = server.address() as AddressInfo | null;
      return { host: options.host, port: address?.port ?? options.port };
    },
    close() {
      closing ??= (async () => {
        endpoint.closed = true;
        // Requests still waiting for a pull are told to come back; events answered 202 are
        // reported (the close rejects naming their runs), so they can be resumed.
        const pending = queue.pull(Number.MAX_SAFE_INTEGER, new AbortController().signal);
        queue.end();
        const pulled = await pending;
        if (pulled.isOk()) await Promise.all(pulled.value.map((delivery) => delivery.release()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // Every run has ended by now; a connection still open only keeps the port.
          setTimeout(() => server.closeAllConnections(), 1_000).unref();
        });
        if (endpoint.unfinished.length > 0)
          throw unfinishedError(options.name, endpoint.unfinished);
      })();
      return closing;
    },
  };
}
