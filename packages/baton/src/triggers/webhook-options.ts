import { OrchestrationError } from '@baton/core';
import { showValue } from '@baton/core/authoring';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Settings of `webhookSource`. */
export interface WebhookSourceOptions {
  /**
   * The shared secret (at least 16 characters). A request is accepted with the header
   * `x-baton-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<event id>.<raw body>">`
   * (within `toleranceSeconds` of the server's clock), or with `authorization: Bearer <secret>`.
   */
  readonly secret: string;
  /** Largest difference between a signature's `t` and the server's clock, in seconds. @default 300 */
  readonly toleranceSeconds?: number;
  /**
   * Longest wait for a request's headers and body, in ms; a slower request gets 408 and its
   * connection is closed.
   * @default 30_000
   */
  readonly requestTimeoutMs?: number;
  /** @default 0 (a free port; see `address()`) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** The only path served (POST). @default '/' */
  readonly path?: string;
  /** Largest accepted body; a larger one gets 413. @default 1_048_576 */
  readonly maxBodyBytes?: number;
  /** The header with the event id (the sender's delivery id). @default 'x-baton-event-id' */
  readonly idHeader?: string;
  /** The header with the body's signature. @default 'x-baton-signature' */
  readonly signatureHeader?: string;
  /** `Retry-After` of a 503, in seconds. @default 1 */
  readonly retryAfterSeconds?: number;
  /**
   * Requests that may wait for the trigger while it is at its concurrency bound; beyond that,
   * 503 with `Retry-After`.
   * @default 0
   */
  readonly queueLimit?: number;
  /** Event ids remembered to answer duplicates with 200 and the same run id. @default 10_000 */
  readonly rememberIds?: number;
  /** @default 'webhook' */
  readonly name?: string;
}

export type ResolvedWebhookOptions = Required<WebhookSourceOptions>;

const OP = 'webhookSource';

function bad(field: string, value: unknown, expected: string): OrchestrationError {
  const shown = field === 'secret' ? typeof value : showValue(value);
  return new OrchestrationError(
    'invalid_config',
    `${OP}: ${field} must be ${expected}, got ${shown}`,
    {
      op: OP,
      details: { field },
    },
  );
}

const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const HEADER = /^[a-z0-9-]+$/;

/** The options with their defaults, or `invalid_config` naming the bad one. */
export function resolveWebhookOptions(
  options: WebhookSourceOptions,
): ResolvedWebhookOptions | OrchestrationError {
  if (typeof options !== 'object' || (options as unknown) === null)
    return bad('options', options, 'an object with secret');
  const o: ResolvedWebhookOptions = {
    port: 0,
    host: '127.0.0.1',
    path: '/',
    maxBodyBytes: 1_048_576,
    idHeader: 'x-baton-event-id',
    signatureHeader: 'x-baton-signature',
    retryAfterSeconds: 1,
    queueLimit: 0,
    rememberIds: 10_000,
    toleranceSeconds: 300,
    requestTimeoutMs: 30_000,
    name: 'webhook',
    ...options,
  };
  if (typeof o.secret !== 'string' || o.secret.length < 16)
    return bad('secret', o.secret, 'a string of at least 16 characters');
  if (!isInt(o.port, 0, 65_535)) return bad('port', o.port, 'an integer from 0 to 65535');
  if (typeof o.host !== 'string' || o.host === '') return bad('host', o.host, 'a host name');
  if (typeof o.path !== 'string' || !o.path.startsWith('/'))
    return bad('path', o.path, 'a path starting with "/"');
  if (!isInt(o.maxBodyBytes, 1)) return bad('maxBodyBytes', o.maxBodyBytes, 'a positive integer');
  for (const field of ['idHeader', 'signatureHeader'] as const) {
    if (typeof o[field] !== 'string' || !HEADER.test(o[field]))
      return bad(field, o[field], 'a lower-case header name');
  }
  if (!isInt(o.retryAfterSeconds, 1))
    return bad('retryAfterSeconds', o.retryAfterSeconds, 'a positive integer');
  if (!isInt(o.queueLimit, 0)) return bad('queueLimit', o.queueLimit, 'a non-negative integer');
  if (!isInt(o.rememberIds, 1)) return bad('rememberIds', o.rememberIds, 'a positive integer');
  if (!isInt(o.toleranceSeconds, 1))
    return bad('toleranceSeconds', o.toleranceSeconds, 'a positive integer');
  if (!isInt(o.requestTimeoutMs, 1))
    return bad('requestTimeoutMs', o.requestTimeoutMs, 'a positive integer');
  if (typeof o.name !== 'string' || o.name === '') return bad('name', o.name, 'a non-empty string');
  return o;
}

function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, which timingSafeEqual needs, and hides the length.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The bearer token of a request without a signature; `undefined` when it is signed. */
export function bearerOnly(
  headers: IncomingHttpHeaders,
  options: ResolvedWebhookOptions,
): 'ok' | 'bad' | undefined {
  if (typeof headers[options.signatureHeader] === 'string') return undefined;
  const auth = headers.authorization;
  const good =
    typeof auth === 'string' &&
    auth.startsWith('Bearer ') &&
    sameSecret(auth.slice('Bearer '.length), options.secret);
  return good ? 'ok' : 'bad';
}

/** The signature header's value for `body` of event `id` at `t` (unix seconds). */
export function signWebhook(secret: string, id: string, body: Buffer | string, t: number): string {
  const mac = createHmac('sha256', secret).update(`${t}.${id}.`).update(body).digest('hex');
  return `t=${t},v1=${mac}`;
}

/**
 * Why a signed request is refused (`undefined`: it is not). The signature covers the
 * timestamp, the event id and the body, so neither a replay outside the tolerance window nor a
 * replay under another event id passes.
 */
export function signatureProblem(
  headers: IncomingHttpHeaders,
  id: string,
  body: Buffer,
  options: ResolvedWebhookOptions,
  nowMs = Date.now(),
): string | undefined {
  const header = headers[options.signatureHeader];
  if (typeof header !== 'string') return 'missing signature';
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || v1 === undefined)
    return `${options.signatureHeader} must be "t=<unix seconds>,v1=<hex HMAC-SHA256 of t.eventId.body>"`;
  const skew = Math.abs(nowMs / 1000 - t);
  if (skew > options.toleranceSeconds)
    return `signature timestamp ${t} is ${Math.round(skew)} s from the server's clock (tolerance ${options.toleranceSeconds} s)`;
  const given = Buffer.from(v1, 'hex');
  const expected = createHmac('sha256', options.secret).update(`${t}.${id}.`).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad signature';
  return undefined;
}
