import { createServer } from 'node:net';

/**
 * Asks the OS for a TCP port that is free on `host` right now. Another process may take it before
 * the caller binds it, so callers that spawn a server retry when it fails to bind.
 *
 * @example
 * ```ts
 * const port = await getFreePort(); // 41237
 * ```
 */
export function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        if (port > 0) resolvePort(port);
        else reject(new Error(`could not read the port the OS gave on ${host}`));
      });
    });
  });
}
