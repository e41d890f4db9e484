/**
 * A custom chain provider, written only against public exports: `@baton/core` (what users call)
 * and `@baton/core/authoring` (what provider authors need).
 *
 * The `journal` provider runs steps in order, like the built-in `simple` provider, and writes one
 * journal entry per attempt of each step (name, attempt, outcome, duration): the kind of provider
 * you write to audit every model call. It gets for free what every Baton Runnable has (invoke,
 * batch, stream with identical behaviour, cancellation, RunOptions) by extending BaseRunnable,
 * and uses the authoring helpers for the rest: the retry loop (`runWithRetry`, which also emits
 * `step-retry` under stream), per-step deadlines, step events, spans and metrics, health.
 *
 * Run: pnpm exec tsx examples/custom-chain-provider.ts
 */
import {
  createChain,
  registerChainProvider,
  withChainName,
  withChainProvider,
  withChainRetries,
  withChainRetryPolicy,
} from '@baton/chain';
import {
  OrchestrationError,
  orThrow,
  runnable,
  toAsyncIterable,
  toOrchestrationError,
  type Chain,
  type ChainConfig,
  type ChainProvider,
  type HealthReport,
  type Runnable,
} from '@baton/core';
import {
  BaseRunnable,
  canceledError,
  childPath,
  createTelemetry,
  emitStepEnd,
  emitStepError,
  emitStepStart,
  execute,
  healthReport,
  runWithRetry,
  tracedRun,
  withDeadline,
  type ExecutionContext,
  type Telemetry,
} from '@baton/core/authoring';
import { err, ok } from 'neverthrow';

/** One line of the journal: one attempt of one step. */
interface JournalEntry {
  readonly runId: string;
  readonly step: string;
  readonly attempt: number;
  /** `ok`, or the code of the error the attempt failed with. */
  readonly outcome: string;
  readonly durationMs: number;
}

class JournalChain<I, O> extends BaseRunnable<I, O> implements Chain<I, O> {
  readonly name: string;
  readonly description: string;
  readonly inputKeys: readonly string[] = [];
  readonly outputKeys: readonly string[] = [];
  readonly memory = undefined;
  readonly #telemetry: Telemetry;

  constructor(
    private readonly steps: readonly Runnable[],
    private readonly config: Readonly<ChainConfig>,
    private readonly journal: JournalEntry[],
  ) {
    super();
    this.name = config.name;
    this.description = config.description;
    this.#telemetry = createTelemetry(config);
  }

  // The whole run: a span `baton.chain.invoke` with metrics, under the chain deadline if any.
  override run(input: I, ctx: ExecutionContext): Promise<O> {
    const span = { kind: 'chain', name: this.name, spanName: 'baton.chain.invoke' } as const;
    return tracedRun(this.#telemetry, span, ctx, (traced) =>
      withDeadline(this.name, this.config.timeoutMs, traced, (c) => this.#steps(input, c)),
    );
  }

  async #steps(input: I, ctx: ExecutionContext): Promise<O> {
    let value: unknown = input;
    for (const [index, step] of this.steps.entries()) {
      if (ctx.signal.aborted) throw canceledError(this.name, ctx.signal.reason);
      value = await this.#step(step, index, value, ctx);
    }
    return value as O;
  }

  // One step: the shared retry loop around journaled attempts, with step events under stream.
  async #step(step: Runnable, index: number, input: unknown, ctx: ExecutionContext) {
    const started = Date.now();
    // The step's events carry its path: the chain's own path plus the step's name.
    const path = childPath(ctx, step.name);
    const stepCtx: ExecutionContext = { ...ctx, path };
    try {
      const output = await runWithRetry(this.config.retryPolicy, step.name, stepCtx, (n, c) =>
        this.#attempt(step, index, n, input, c),
      );
      if (ctx.sink) emitStepEnd(ctx.sink, ctx.runId, step.name, path, output, started, index);
      return output;
    } catch (error) {
      const e = toOrchestrationError(error, step.name);
      emitStepError(ctx, step.name, e, path);
      throw e;
    }
  }

  async #attempt(step: Runnable, index: number, n: number, input: unknown, ctx: ExecutionContext) {
    if (ctx.sink) emitStepStart(ctx.sink, ctx.runId, step.name, ctx.path, index, n);
    const started = Date.now();
    const entry = { runId: ctx.runId, step: step.name, attempt: n };
    const op = `${this.name}/${step.name}`;
    try {
      const output = await withDeadline(op, this.config.stepTimeoutMs, ctx, (c) =>
        execute(step, input, c),
      );
      this.journal.push({ ...entry, outcome: 'ok', durationMs: Date.now() - started });
      return output;
    } catch (error) {
      const code = toOrchestrationError(error, step.name).code;
      this.journal.push({ ...entry, outcome: code, durationMs: Date.now() - started });
      throw error;
    }
  }

  check(): Promise<HealthReport> {
    const details = { provider: 'journal', entries: this.journal.length };
    return Promise.resolve(healthReport(`chain:${this.name}`, 'healthy', details));
  }
}

/** The provider: validates what it does not support, then builds the chain. */
function journalProvider(journal: JournalEntry[]): ChainProvider {
  return {
    createChain(steps, config) {
      if (config.memory !== undefined) {
        const message = 'the journal provider has no memory support; use the simple provider';
        return err(new OrchestrationError('invalid_config', message, { op: 'createChain' }));
      }
      return ok(new JournalChain(steps, config, journal));
    },
  };
}

// --- using it ---------------------------------------------------------------------------------

const journal: JournalEntry[] = [];
orThrow(registerChainProvider('journal', journalProvider(journal)));

let calls = 0;
const flakyLookup = runnable('lookup', (city: string) => {
  calls += 1;
  if (calls === 1) throw new Error('503 Service Unavailable'); // transient: retried
  return { city, temperatureC: 21 };
});
const describeWeather = runnable(
  'describe',
  ({ city, temperatureC }: { city: string; temperatureC: number }) =>
    `${city}: ${temperatureC} °C, pleasant`,
);

const chain = createChain(
  [flakyLookup, describeWeather],
  withChainName('weather'),
  withChainProvider('journal'),
  withChainRetries(2),
  withChainRetryPolicy({ initialDelayMs: 5, jitter: 0 }),
);

if (chain.isErr()) {
  console.error(`could not build the chain: ${chain.error.message}`);
  process.exitCode = 1;
} else {
  const weather = chain.value;
  const answer = await weather.invoke('Lisbon');
  answer.match(
    (text) => console.log(`answer: ${text}`),
    (error) => console.error(`failed (${error.code}): ${error.message}`),
  );

  for await (const event of toAsyncIterable(weather.stream('Porto'))) {
    if (event.type === 'step-start' || event.type === 'step-end') {
      console.log(`${event.type.padEnd(10)} ${event.step}`);
    }
  }

  console.log('journal:');
  for (const { runId, step, attempt, outcome } of journal) {
    console.log(`- ${runId.slice(0, 8)} ${step} attempt ${attempt}: ${outcome}`);
  }
  console.log(`health: ${(await weather.check()).status}`);
}
