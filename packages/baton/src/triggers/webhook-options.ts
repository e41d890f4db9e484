import { OrchestrationError } from '@baton/core';
import { showValue } from '@baton/core/authoring';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Settings of `webhookSource`. */
export interface WebhookSourceOptions {
  /**
   * The shared secret (at least 16 characters). A request is accepted with the header
   * `x-baton-signature: sha256=<hex HMAC-SHA256 of the raw body>`, or with
   * `authorization: Bearer <secret>`.
   */
  readonly secret: string;
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
  if (typeof o.name !== 'string' || o.name === '') return bad('name', o.name, 'a non-empty string');
  return o;
}

function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, which timingSafeEqual needs, and hides the length.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True when the request carries the body's HMAC-SHA256 or the secret as a bearer token. */
export function authorized(
  headers: IncomingHttpHeaders,
  body: Buffer,
  options: ResolvedWebhookOptions,
): boolean {
  const signature = headers[options.signatureHeader];
  if (typeof signature === 'string') {
    const given = Buffer.from(signature.replace(/^sha256=/, ''), 'hex');
    const expected = createHmac('sha256', options.secret).update(body).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer '))
    return sameSecret(auth.slice('Bearer '.length), options.secret);
  return false;
}
