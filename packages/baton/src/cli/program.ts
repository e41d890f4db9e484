import { Command, CommanderError, Option } from 'commander';
import { EXIT } from './exit-codes.js';
import type { CommandContext } from './commands/context.js';

/** `./commands/validate.js` with everything it imports statically, written by `pnpm build`. */
const VALIDATE_BUNDLE = './validate.bundle.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const STORE_HELP =
  'where runs are stored: a directory (default .baton, or $BATON_STORE) or redis://host:port';
const TEMPORAL_HELP = 'the Temporal server (host:port) the run is on';
const NAMESPACE_HELP = 'the Temporal namespace (default: default)';
const WORKER_HELP =
  'do not start a worker in this process (workers of the pipeline run elsewhere: baton worker)';
const ACTIONS_HELP =
  'a module exporting `actions` the pipeline uses (repeatable; .ts needs tsx installed)';

/**
 * The `baton` program. Each command's module is imported when the command runs, so `--help`
 * and `validate` do not load the graph executor, stores or renderers they do not need.
 */
function createProgram(ctx: CommandContext, done: (code: number) => void): Command {
  const program = new Command('baton')
    .description('Run, inspect and draw Baton pipeline files.')
    .version('0.1.0')
    .showHelpAfterError('(run baton --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 run failed, 2 invalid file or usage, 130 interrupted or canceled.',
    );

  program
    .command('run')
    .description('run a pipeline file: a live view on a terminal, a line per event otherwise')
    .argument('<file>', 'the pipeline file (YAML or JSON)')
    .option(
      '-i, --input <key=value>',
      'a pipeline input (repeatable); the value is a string',
      collect,
      [],
    )
    .option('--input-file <file>', 'pipeline inputs from a JSON or YAML file (--input wins)')
    .option('-a, --actions <module>', ACTIONS_HELP, collect, [])
    .option('--store <location>', STORE_HELP)
    .option('--run-id <id>', 'the id of the new run (default: a random one)')
    .option('--max-workers <n>', "tasks running at once (default: the pipeline's, else 5)")
    .option('--temporal <address>', 'run on the Temporal server at host:port instead of in-process')
    .option('--namespace <ns>', NAMESPACE_HELP)
    .option(
      '--task-queue <queue>',
      'with --temporal: the task queue (default: baton-<pipeline id>-<version>)',
    )
    .option('--no-worker', `with --temporal: ${WORKER_HELP}`)
    .option('--json', 'NDJSON events on stdout, diagnostics on stderr')
    .action(async (file: string, options: Record<string, unknown>) => {
      const { runCommand } = await import('./commands/run.js');
      done(await runCommand(file, options, ctx));
    });

  program
    .command('resume')
    .description('continue a stored run: finished tasks are not run again')
    .argument('<runId>')
    .option('--store <location>', STORE_HELP)
    .option(
      '-a, --actions <module>',
      'actions modules (default: the ones the run was started with)',
      collect,
      [],
    )
    .option('--max-workers <n>', 'tasks running at once')
    .option('--temporal <address>', 'follow a run on this Temporal server (host:port) to its end')
    .option('--namespace <ns>', NAMESPACE_HELP)
    .option('--no-worker', `with --temporal: ${WORKER_HELP}`)
    .option('--json', 'NDJSON events on stdout, diagnostics on stderr')
    .action(async (runId: string, options: Record<string, unknown>) => {
      if (options['temporal'] !== undefined) {
        const { resumeOnTemporal } = await import('./commands/temporal-run.js');
        done(await resumeOnTemporal(runId, options, ctx));
        return;
      }
      const { resumeCommand } = await import('./commands/run.js');
      done(await resumeCommand(runId, options, ctx));
    });

  program
    .command('worker')
    .description(
      "serve a pipeline's actions on Temporal until SIGINT/SIGTERM (runs started with --no-worker)",
    )
    .argument('<file>', 'the pipeline file (YAML or JSON)')
    .requiredOption('--temporal <address>', 'the Temporal server (host:port)')
    .option('--namespace <ns>', NAMESPACE_HELP)
    .option('--task-queue <queue>', 'the task queue (default: baton-<pipeline id>-<version>)')
    .option('-a, --actions <module>', ACTIONS_HELP, collect, [])
    .action(async (file: string, options: Record<string, unknown>) => {
      const { workerCommand } = await import('./commands/worker.js');
      done(await workerCommand(file, options, ctx));
    });

  program
    .command('runs')
    .description('list stored runs, newest first: status, progress, age')
    .addOption(
      new Option('--status <status>', 'only runs with this status').choices([
        'pending',
        'running',
        'paused',
        'succeeded',
        'failed',
        'canceled',
      ]),
    )
    .option('--store <location>', STORE_HELP)
    .option('--json', 'one JSON object per run')
    .action(async (options: Record<string, unknown>) => {
      const { runsCommand } = await import('./commands/runs.js');
      done(await runsCommand(options, ctx));
    });

  program
    .command('show')
    .description('a stored run: per task its status, attempts, timing, output or error')
    .argument('<runId>')
    .option('--store <location>', STORE_HELP)
    .option('--json', 'the run and its task records as JSON')
    .option('--temporal <address>', TEMPORAL_HELP)
    .option('--namespace <ns>', NAMESPACE_HELP)
    .action(async (runId: string, options: Record<string, unknown>) => {
      if (options['temporal'] !== undefined) {
        const { showOnTemporal } = await import('./commands/temporal-admin.js');
        done(await showOnTemporal(runId, options, ctx));
        return;
      }
      const { showCommand } = await import('./commands/show.js');
      done(await showCommand(runId, options, ctx));
    });

  program
    .command('cancel')
    .description('cancel a run (the process running it stops it); resumable later')
    .argument('<runId>')
    .option('--store <location>', STORE_HELP)
    .option('--temporal <address>', `${TEMPORAL_HELP}: the workflow is canceled (not resumable)`)
    .option('--namespace <ns>', NAMESPACE_HELP)
    .action(async (runId: string, options: Record<string, unknown>) => {
      if (options['temporal'] !== undefined) {
        const { cancelOnTemporal } = await import('./commands/temporal-admin.js');
        done(await cancelOnTemporal(runId, options, ctx));
        return;
      }
      const { cancelCommand } = await import('./commands/cancel.js');
      done(await cancelCommand(runId, options, ctx));
    });

  program
    .command('validate')
    .description('check pipeline files: every diagnostic as file:line:col')
    .argument('<files...>')
    .option('-a, --actions <module>', ACTIONS_HELP, collect, [])
    .action(async (files: string[], options: Record<string, unknown>) => {
      // One bundled file (scripts/bundle-cli.ts), not the ~200 modules of ./commands/validate.js.
      const { validateCommand } = (await import(
        VALIDATE_BUNDLE
      )) as typeof import('./commands/validate.js');
      done(await validateCommand(files, options, ctx));
    });

  program
    .command('graph')
    .description('draw a pipeline locally (no browser, no network); --run colours task states')
    .argument('<file>')
    .addOption(
      new Option('-f, --format <format>', 'picture format')
        .choices(['mermaid', 'ascii', 'svg'])
        .default('ascii'),
    )
    .option('--run <runId>', 'colour each task with its state in this stored run')
    .option('-o, --output <file>', 'write the picture to a file instead of stdout')
    .option('-a, --actions <module>', ACTIONS_HELP, collect, [])
    .option('--store <location>', STORE_HELP)
    .action(async (file: string, options: Record<string, unknown>) => {
      const { graphCommand } = await import('./commands/graph.js');
      done(await graphCommand(file, options, ctx));
    });

  return program;
}

/** Runs the program on `argv` (process.argv) and resolves to the exit code. */
export async function main(argv: readonly string[], ctx: CommandContext): Promise<number> {
  let code: number = EXIT.ok;
  const program = createProgram(ctx, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; every other parse error is usage.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
  return code;
}
