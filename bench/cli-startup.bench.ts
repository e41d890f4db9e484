/**
 * Start-up of the built `baton` CLI (target: `--help` and `validate` of a small file under
 * 300 ms), each command run RUNS times as a fresh process, the way a user runs it:
 *
 * - `node -e 0`: Node itself, the floor.
 * - `baton --help`: commander and the program.
 * - `baton validate small.yaml`: a two-task file of built-in actions (parser, validator, zod).
 * - `baton run small.yaml`: the same file run to the end with its checkpoints in a fresh store
 *   (Orchestrator registries, graph executor, file store, plain view).
 *
 * Wall time is measured around the child; CPU time (user + system) is the child's own
 * `process.cpuUsage()` at exit, reported through a one-line `--import` (it adds ~1 ms). Minimum
 * and median: other processes on the machine only ever add time, so the minimum is the cost
 * and the median says how steady it is. Run with `pnpm bench cli-startup` (builds first);
 * RUNS=50 for steadier numbers, BIN=… to measure another build's entry (see `bin` below).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env['RUNS'] ?? 20);
// BIN=path/to/another/bin.js compares another build (run the two alternately: the load changes).
const bin =
  process.env['BIN'] ?? fileURLToPath(new URL('../packages/baton/bin/baton.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'baton-startup-'));
const small = join(dir, 'small.yaml');
writeFileSync(
  small,
  `id: small
inputs:
  name: { type: string, default: world }
tasks:
  - id: greet
    action: template
    parameters: { template: "Hello {input.name}" }
  - id: shout
    action: template
    parameters: { template: "{greet}!" }
    dependencies: [greet]
`,
);

// Writes the process's CPU time (µs, user + system) to fd 3 when it exits.
const reportCpu = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeSync(3, String(u.user + u.system)); });",
)}`;

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function once(args: readonly string[], expectStatus: number): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', reportCpu, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', BATON_STORE: join(dir, 'store') },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== expectStatus)
    throw new Error(`${args.join(' ')} exited with ${r.status}:\n${r.stdout}${r.stderr}`);
  const cpu = (r.output[3] as string | null) ?? '';
  return { wallMs, cpuMs: Number(cpu) / 1000 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
};

const commands: { name: string; args: string[] }[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'baton --help', args: [bin, '--help'] },
  { name: 'baton validate small.yaml', args: [bin, 'validate', small] },
  { name: 'baton run small.yaml', args: [bin, 'run', small] },
];

console.log(`${RUNS} runs each, load average ${loadavg()[0]?.toFixed(1)} on this machine`);
const rows = commands.map(({ name, args }) => {
  once(args, 0); // warm the file system cache
  const samples = Array.from({ length: RUNS }, () => once(args, 0));
  const wall = samples.map((s) => s.wallMs);
  const cpu = samples.map((s) => s.cpuMs);
  const ms = (x: number): string => `${x.toFixed(0)} ms`;
  return {
    command: name,
    'wall min': ms(Math.min(...wall)),
    'wall median': ms(median(wall)),
    'CPU min': ms(Math.min(...cpu)),
    'CPU median': ms(median(cpu)),
  };
});
console.table(rows);
