import { OrchestrationError, runnable } from '@baton/core';
import type { ActionDefinition } from '../contracts.js';
import { HTTP } from './builtin-signatures.js';
import { parseParameters } from './parameters.js';

/** What `http` returns. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON when the response says it is JSON, else text. */
  readonly body: unknown;
}

const MAX_REDIRECTS = 5;

function allowed(url: URL, hosts: readonly string[]): boolean {
  return hosts.includes(url.host) || hosts.includes(url.hostname);
}

function notAllowed(url: URL, hosts: readonly string[]): OrchestrationError {
  return new OrchestrationError(
    'invalid_input',
    `http: host "${url.host}" is not allowed (allowed: ${hosts.join(', ') || 'none'}); add it with withBuiltinActions({ httpAllowedHosts: [...] })`,
    { op: 'http', details: { host: url.host, allowed: hosts } },
  );
}

/**
 * `http`: one request to an allowed host, bounded by a timeout. Redirects are followed (up to 5)
 * only to allowed hosts. A status >= 400 fails with `execution_failed` (retryable for 5xx and
 * 429); running out of time fails with `timeout`.
 */
export function httpAction(hosts: readonly string[], defaultTimeoutMs: number): ActionDefinition {
  return {
    ...HTTP,
    runnable: runnable('http', async (parameters: Record<string, unknown>, ctx) => {
      const p = parseParameters('http', HTTP.schema, parameters);
      const timeoutMs = p.timeoutMs ?? defaultTimeoutMs;
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
      const json = p.body !== undefined && typeof p.body !== 'string';
      const init: RequestInit = {
        method: p.method ?? 'GET',
        headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...p.headers },
        redirect: 'manual',
        signal,
        ...(p.body === undefined
          ? {}
          : { body: json ? JSON.stringify(p.body) : (p.body as string) }),
      };
      let url = new URL(p.url);
      try {
        for (let hop = 0; ; hop++) {
          if (!allowed(url, hosts)) throw notAllowed(url, hosts);
          const response = await fetch(url, init);
          const location = response.headers.get('location');
          if (response.status >= 300 && response.status < 400 && location !== null) {
            if (hop === MAX_REDIRECTS) {
              throw new OrchestrationError(
                'execution_failed',
                `http: more than ${MAX_REDIRECTS} redirects from ${p.url}`,
                { op: 'http' },
              );
            }
            await response.body?.cancel();
            url = new URL(location, url);
            continue;
          }
          return await toResponse(response, p.url);
        }
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        if (signal.aborted) {
          throw new OrchestrationError(
            'timeout',
            `http: ${p.url} did not answer within ${timeoutMs} ms`,
            {
              op: 'http',
              details: { url: p.url, timeoutMs },
            },
          );
        }
        throw error;
      }
    }),
  };
}

async function toResponse(response: Response, url: string): Promise<HttpResponse> {
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  let body: unknown = text;
  if (type.includes('json') && text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (response.status >= 400) {
    throw new OrchestrationError(
      'execution_failed',
      `http: ${url} answered ${response.status} ${response.statusText}`,
      {
        op: 'http',
        retryable: response.status >= 500 || response.status === 429,
        details: { status: response.status, body },
      },
    );
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body };
}
