import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

const executableName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(delimiter).filter((entry) => entry !== '');
}

/** Asks Go itself, for a GOPATH set with `go env -w`; undefined without a Go toolchain. */
function goEnvGopath(): string | undefined {
  try {
    const out = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8', timeout: 5_000 });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The directories `go install` may have written to, most specific first. */
function goBinDirs(env: Env): string[] {
  const gobin = env.GOBIN ? [env.GOBIN] : [];
  const gopaths = [...splitList(env.GOPATH), join(homedir(), 'go')];
  const dirs = [...gobin, ...gopaths.map((gopath) => join(gopath, 'bin'))];
  return [...new Set(dirs)];
}

/**
 * Finds the Temporal CLI: `temporal` on `PATH`, then in `$GOBIN` / `$GOPATH/bin` (where
 * `scripts/ensure-temporal.sh` installs it). Returns its absolute path, or `undefined`.
 *
 * @example
 * ```ts
 * const bin = findTemporalBinary(); // '/root/go/bin/temporal'
 * ```
 */
export function findTemporalBinary(env: Env = process.env): string | undefined {
  for (const dir of [...splitList(env.PATH), ...goBinDirs(env)]) {
    const candidate = resolve(dir, executableName);
    if (isExecutableFile(candidate)) return candidate;
  }
  const gopath = goEnvGopath();
  if (gopath === undefined) return undefined;
  const candidate = join(gopath.split(delimiter)[0] ?? gopath, 'bin', executableName);
  return isExecutableFile(candidate) ? candidate : undefined;
}
