import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/** How the supervised command ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A command running in its own process group that cannot outlive the Node process. */
export interface SupervisedProcess {
  readonly pid: number;
  /** Settles once the command (not only its wrapper) has exited. */
  readonly exited: Promise<ProcessExit>;
  hasExited(): boolean;
  /** The last few KiB of the command's stdout and stderr, for error messages. */
  output(): string;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once everything has exited. */
  stop(graceMs: number): Promise<void>;
}

/*
 * The wrapper keeps the command from outliving us however we die. Its stdin is a pipe whose only
 * writer is this process: when we exit, even by SIGKILL, the pipe reaches EOF, the watcher's `read`
 * returns, and the wrapper forwards SIGTERM to the command. The command gets /dev/null as stdin
 * and no fd 3. The wrapper exits only after the command has, with its status, and reaps the
 * watcher so nothing is left for init to collect.
 */
const wrapperScript = `
exec 3<&0 </dev/null
"$@" 3<&- &
server=$!
{ while read -r -u 3 _; do :; done; kill -TERM $$ 2>/dev/null; } &
watcher=$!
exec 3<&-
trap 'kill -TERM "$server" 2>/dev/null' TERM INT HUP
wait "$server"; status=$?
while kill -0 "$server" 2>/dev/null; do wait "$server"; status=$?; done
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
exit "$status"
`;

const outputLimit = 8_192;
const live = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** A normal exit of this process takes every live group down at once, without waiting. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
  });
}

/** Spawns `command args...` under the wrapper, in a new process group led by the wrapper. */
export function spawnSupervised(command: string, args: readonly string[]): SupervisedProcess {
  const child = spawn('bash', ['-c', wrapperScript, 'baton-supervised', command, ...args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn bash to run ${command}`);
  installExitHook();
  live.add(pid);

  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-outputLimit);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  let exitedFlag = false;
  const exited = new Promise<ProcessExit>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      live.delete(pid);
      child.stdin.destroy();
      resolveExit({ code, signal });
    });
  });

  // A forgotten stop() must not keep a test process alive; the exit hook and the pipe clean up.
  // Piped stdio streams are sockets at runtime.
  child.unref();
  for (const pipe of [child.stdin, child.stdout, child.stderr]) (pipe as Socket).unref();

  const stop = async (graceMs: number): Promise<void> => {
    if (exitedFlag) return;
    killGroup(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout('timeout'), graceMs);
    });
    const first = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (first === 'timeout') {
      killGroup(pid, 'SIGKILL');
      await exited;
    }
  };

  return { pid, exited, hasExited: () => exitedFlag, output: () => output, stop };
}
