import { TestSupportError } from './test-support-error.js';

/** Where {@link requireServer} reads `CI` and writes its skip notice. Tests of the policy pass their own. */
export interface RequireServerConfig {
  /**
   * The environment to read `CI` from.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Receives the skip notice when the server is missing outside CI.
   * @default console.warn
   */
  readonly warn?: (message: string) => void;
}

/** True when `env.CI` is exactly `'true'`, as GitHub Actions, GitLab CI and `.ci/run` set it. */
export function isCi(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env.CI === 'true';
}

/**
 * The policy every suite that needs a real server follows: returns `true` when the suite should
 * run. When the server is missing it returns `false` after printing how to enable it, except under
 * `CI=true`, where it throws a `SERVER_UNAVAILABLE` error: called at the top level of a test file,
 * that fails the file, so CI can never go green by skipping.
 *
 * @param name - The server, as people call it (`'Redis'`).
 * @param available - Whether the probe found it.
 * @param howToEnable - One sentence saying what to start or set.
 *
 * @example
 * ```ts
 * const hasRedis = requireServer('Redis', await isRedisReachable(), 'run `redis-server`.');
 * describe.runIf(hasRedis)('RedisCheckpointStore', () => {
 *   // ...
 * });
 * ```
 */
export function requireServer(
  name: string,
  available: boolean,
  howToEnable: string,
  config: RequireServerConfig = {},
): boolean {
  if (available) return true;
  const env = config.env ?? process.env;
  if (isCi(env)) {
    throw new TestSupportError(
      'SERVER_UNAVAILABLE',
      `${name} is required under CI=true but is not available. ${howToEnable}`,
    );
  }
  const warn = config.warn ?? ((message: string) => console.warn(message));
  warn(
    `[baton] skipping tests that need ${name}: it is not available. To run them: ${howToEnable}`,
  );
  return false;
}
