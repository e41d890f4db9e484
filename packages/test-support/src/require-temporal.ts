import { findTemporalBinary } from './find-temporal-binary.js';
import { requireServer } from './require-server.js';
import type { RequireServerConfig } from './require-server.js';

/** What to do when the Temporal CLI is missing. */
export const ENABLE_TEMPORAL_HINT =
  'run `bash scripts/ensure-temporal.sh` (installs the Temporal CLI with Go), or put a `temporal` binary on PATH.';

/**
 * {@link requireServer} for Temporal: the server counts as available when the CLI that embeds the
 * dev server is installed, since suites start their own with {@link startTemporalDevServer}.
 *
 * @example
 * ```ts
 * describe.runIf(requireTemporal())('durable graph', () => {
 *   let server: TemporalDevServer;
 *   beforeAll(async () => { server = await startTemporalDevServer(); });
 *   afterAll(() => server.stop());
 * });
 * ```
 */
export function requireTemporal(
  config: RequireServerConfig & { readonly binary?: string | undefined } = {},
): boolean {
  const binary = 'binary' in config ? config.binary : findTemporalBinary();
  return requireServer('Temporal', binary !== undefined, ENABLE_TEMPORAL_HINT, config);
}
