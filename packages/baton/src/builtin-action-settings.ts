/** Settings of the built-in actions, set with `withBuiltinActions`. */
export interface BuiltinActionSettings {
  /**
   * Directory `read_file`, `write_file` and `shell` work in; paths leading out of it are refused.
   * @default the working directory when the Orchestrator is created
   */
  readonly rootDir: string;
  /**
   * Hosts `http` may call: a host name (`api.example.com`, any port) or `host:port`.
   * @default [] (every host refused)
   */
  readonly httpAllowedHosts: readonly string[];
  /** Timeout of an `http` request (and of a `shell` program) in ms. @default 10_000 */
  readonly timeoutMs: number;
  /** Items of a `map` running at once, unless a task says otherwise. @default 4 */
  readonly mapConcurrency: number;
  /** Whether `shell` may run programs. @default false */
  readonly shell: boolean;
}

/** The defaults of {@link BuiltinActionSettings} (no shell, no HTTP host). */
export const DEFAULT_BUILTIN_ACTION_SETTINGS: Readonly<BuiltinActionSettings> = Object.freeze({
  rootDir: '.',
  httpAllowedHosts: [],
  timeoutMs: 10_000,
  mapConcurrency: 4,
  shell: false,
});
