import {
  OrchestrationError,
  isCancellation,
  withCircuitBreaker,
  type CircuitBreakerRunnable,
  type CircuitState,
  type HealthChecker,
  type ParentStep,
  type Runnable,
} from '@baton/core';
import { aggregateHealth, healthReport, isRunnable, showError } from '@baton/core/authoring';
import { err, errAsync, ok, ResultAsync, type Result } from 'neverthrow';
import { z } from 'zod';
import type { ModelLookup } from './contracts.js';
import { chatMessageSchema, modelSelectionShape } from './actions/builtin-signatures.js';
import { LangChainModel } from './internal/lang-chain-model.js';
import { createModelLimiter, type ModelLimiter } from './internal/model-limiter.js';
import {
  estimateTokens,
  modelDefinitionSchema,
  outputText,
  reportedUsage,
  type ChatMessage,
  type ModelDefinition,
  type ModelInput,
  type TokenUsage,
} from './model-definition.js';

/** What a task asks of a model. Give `prompt` or `messages`. */
export interface ModelRequest {
  readonly prompt?: string;
  readonly messages?: readonly ChatMessage[];
  /** A system message put before the conversation. */
  readonly system?: string;
  /** Every one of them must be among the model's capabilities. @default [] (any model) */
  readonly capabilities?: readonly string[];
  /**
   * Highest estimated price of the call (input tokens estimated from the text, output tokens
   * `maxTokens`, else as many as the input), in the unit of the models' prices.
   * @default no bound
   */
  readonly maxCost?: number;
  /** Only this model (still subject to its circuit and rate limit). @default any */
  readonly model?: string;
  /** Upper bound of output tokens, passed to the model and used by `maxCost`. */
  readonly maxTokens?: number;
  /** What a call beyond a model's rate limit does. @default the model's `rateLimit.onLimit` */
  readonly onLimit?: 'wait' | 'fail';
}

/** One model tried for a request, in order. */
export interface ModelAttempt {
  readonly model: string;
  /** How the attempt ended: `ok`, or why the registry went on to the next model. */
  readonly outcome: 'ok' | 'failed' | 'circuit_open' | 'rate_limited';
  readonly error?: OrchestrationError;
}

/** The answer of a model to a request, and which model gave it. */
export interface ModelResult {
  readonly text: string;
  /** The model that answered. */
  readonly model: string;
  /** What the model returned, unchanged. */
  readonly output: unknown;
  /** Reported by the model, else estimated (4 characters a token). */
  readonly usage: TokenUsage;
  readonly cost: number;
  readonly attempts: readonly ModelAttempt[];
}

/**
 * The chunk event a model call emits in a streamed run, at each model tried: which model, and
 * how it went (`ok` on the one that answered).
 */
export interface ModelEvent {
  readonly kind: 'model';
  readonly model: string;
  readonly outcome: ModelAttempt['outcome'];
  readonly error?: string;
}

/** Where a model call runs: the step that makes it (for cancellation and events). */
export interface ModelCallOptions {
  /** The calling step's context (`ctx` of an action): the call is nested in its run. */
  readonly parent?: ParentStep;
  readonly signal?: AbortSignal;
  /** Receives a {@link ModelEvent} for each model tried. */
  readonly emit?: (event: ModelEvent) => void;
}

/** How a model fared so far. */
export interface ModelStats {
  readonly name: string;
  readonly calls: number;
  readonly successes: number;
  readonly failures: number;
  readonly circuit: CircuitState;
}

/** The models of one Orchestrator: selection by capability and cost, fallback, breakers. */
export interface ModelRegistry extends ModelLookup, HealthChecker {
  /** Adds a model; a bad definition or a duplicate name fails with `invalid_config`. */
  register(definition: ModelDefinition): Result<void, OrchestrationError>;
  /**
   * The models that could serve `request`, in the order they would be tried: cheapest first,
   * each price divided by the model's observed success rate; models whose circuit is open last.
   */
  candidates(request: ModelRequest): Result<readonly string[], OrchestrationError>;
  /** Runs `request` on the best model, falling back to the next ones on failure. */
  generate(
    request: ModelRequest,
    options?: ModelCallOptions,
  ): ResultAsync<ModelResult, OrchestrationError>;
  stats(name: string): ModelStats | undefined;
}

interface Entry {
  readonly definition: ModelDefinition;
  readonly order: number;
  readonly guarded: CircuitBreakerRunnable<ModelInput, unknown>;
  readonly limiter: ModelLimiter | undefined;
  calls: number;
  successes: number;
  failures: number;
}

/** Validates a {@link ModelRequest}. */
const modelRequestSchema = z
  .object({
    prompt: z.string().optional(),
    messages: z.array(chatMessageSchema).min(1).optional(),
    ...modelSelectionShape,
  })
  .refine((r) => r.prompt !== undefined || r.messages !== undefined, {
    error: 'give a prompt or messages',
  });

const price = (d: ModelDefinition): number => d.costPerMTokIn + d.costPerMTokOut;
/** Success rate with one success assumed, so a new model competes on price alone. */
const successRate = (e: Entry): number => (e.successes + 1) / (e.calls + 1);

function toInput(request: ModelRequest): ModelInput {
  const messages: ChatMessage[] = [];
  if (request.system !== undefined) messages.push({ role: 'system', content: request.system });
  if (request.messages !== undefined) messages.push(...request.messages);
  if (request.prompt !== undefined) messages.push({ role: 'user', content: request.prompt });
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return {
    messages,
    prompt: lastUser?.content ?? '',
    ...(request.maxTokens === undefined ? {} : { maxTokens: request.maxTokens }),
  };
}

function invalidRequest(
  message: string,
  details: Record<string, unknown> = {},
): OrchestrationError {
  return new OrchestrationError('invalid_input', `model request: ${message}`, {
    op: 'models.generate',
    details,
  });
}

/**
 * Creates an empty model registry.
 *
 * @example
 * const models = createModelRegistry();
 * models.register({ name: 'small', capabilities: ['text'], costPerMTokIn: 0.1, costPerMTokOut: 0.4, runnable: small });
 * const answer = await models.generate({ prompt: 'Hello', capabilities: ['text'] });
 */
export function createModelRegistry(): ModelRegistry {
  const entries = new Map<string, Entry>();

  const rank = (request: ModelRequest): Result<Entry[], OrchestrationError> => {
    const wanted = request.capabilities ?? [];
    const input = toInput(request);
    const inTokens = estimateTokens(input.messages.map((m) => m.content).join('\n'));
    const outTokens = request.maxTokens ?? inTokens;
    let pool = [...entries.values()];
    if (request.model !== undefined) {
      const named = entries.get(request.model);
      if (named === undefined) {
        return err(
          new OrchestrationError(
            'not_found',
            `unknown model "${request.model}"; registered: ${[...entries.keys()].sort().join(', ') || '(none)'}`,
            { op: 'models.generate', details: { model: request.model } },
          ),
        );
      }
      pool = [named];
    }
    const capable = pool.filter((e) => wanted.every((c) => e.definition.capabilities.includes(c)));
    if (capable.length === 0) {
      const have = pool.map(
        (e) => `${e.definition.name} (${e.definition.capabilities.join(', ')})`,
      );
      return err(
        new OrchestrationError(
          'not_found',
          `no model has the capabilities ${wanted.join(', ')}; registered: ${have.join('; ') || '(none)'}`,
          { op: 'models.generate', details: { capabilities: wanted } },
        ),
      );
    }
    const cost = (d: ModelDefinition): number =>
      (inTokens * d.costPerMTokIn + outTokens * d.costPerMTokOut) / 1e6;
    const affordable =
      request.maxCost === undefined
        ? capable
        : capable.filter((e) => cost(e.definition) <= (request.maxCost as number));
    if (affordable.length === 0) {
      const cheapest = Math.min(...capable.map((e) => cost(e.definition)));
      return err(
        new OrchestrationError(
          'not_found',
          `no capable model fits maxCost ${request.maxCost}: the cheapest is estimated at ${cheapest} for this request`,
          { op: 'models.generate', details: { maxCost: request.maxCost, cheapest } },
        ),
      );
    }
    const open = (e: Entry): number => (e.guarded.state() === 'open' ? 1 : 0);
    return ok(
      affordable.sort(
        (a, b) =>
          open(a) - open(b) ||
          price(a.definition) / successRate(a) - price(b.definition) / successRate(b) ||
          a.order - b.order,
      ),
    );
  };

  /** One call of one model: its rate limit first, then the model behind its breaker. */
  async function attempt(
    entry: Entry,
    input: ModelInput,
    request: ModelRequest,
    options: ModelCallOptions,
  ): Promise<{ result: Result<unknown, OrchestrationError>; charged: number }> {
    const signal = options.signal ?? options.parent?.signal;
    let charged = 0;
    if (entry.limiter !== undefined) {
      const estimate = estimateTokens(input.messages.map((m) => m.content).join('\n'));
      const admitted = await entry.limiter.acquire(estimate + (request.maxTokens ?? 0), {
        ...(request.onLimit === undefined ? {} : { onLimit: request.onLimit }),
        ...(signal === undefined ? {} : { signal }),
      });
      if (admitted.isErr()) return { result: err(admitted.error), charged };
      charged = admitted.value;
    }
    const result = await entry.guarded.invoke(input, {
      ...(options.parent === undefined ? {} : { parent: options.parent }),
      ...(signal === undefined ? {} : { signal }),
    });
    return { result, charged };
  }

  async function run(
    request: ModelRequest,
    options: ModelCallOptions,
  ): Promise<Result<ModelResult, OrchestrationError>> {
    const ranked = rank(request);
    if (ranked.isErr()) return err(ranked.error);
    const input = toInput(request);
    const attempts: ModelAttempt[] = [];
    const note = (model: string, outcome: ModelAttempt['outcome'], error?: OrchestrationError) => {
      attempts.push({ model, outcome, ...(error === undefined ? {} : { error }) });
      options.emit?.({
        kind: 'model',
        model,
        outcome,
        ...(error === undefined ? {} : { error: error.message }),
      });
    };
    for (const entry of ranked.value) {
      const name = entry.definition.name;
      if (entry.guarded.state() === 'open') {
        note(name, 'circuit_open');
        continue;
      }
      const { result, charged } = await attempt(entry, input, request, options);
      if (result.isOk()) {
        const text = outputText(result.value);
        if (text !== undefined) {
          entry.calls += 1;
          entry.successes += 1;
          note(name, 'ok');
          const usage = reportedUsage(result.value) ?? {
            inputTokens: estimateTokens(input.messages.map((m) => m.content).join('\n')),
            outputTokens: estimateTokens(text),
          };
          entry.limiter?.settle(charged, usage.inputTokens + usage.outputTokens);
          const d = entry.definition;
          const cost =
            (usage.inputTokens * d.costPerMTokIn + usage.outputTokens * d.costPerMTokOut) / 1e6;
          return ok({ text, model: name, output: result.value, usage, cost, attempts });
        }
        entry.calls += 1;
        entry.failures += 1;
        note(
          name,
          'failed',
          new OrchestrationError(
            'execution_failed',
            `model "${name}" returned no text (expected a string, { content } or { text })`,
            { op: name },
          ),
        );
        continue;
      }
      const error = result.error;
      if (isCancellation(error)) return err(error);
      if (error.code === 'circuit_breaker_open') note(name, 'circuit_open', error);
      else if (error.code === 'rate_limit_exceeded') note(name, 'rate_limited', error);
      else {
        entry.calls += 1;
        entry.failures += 1;
        note(name, 'failed', error);
      }
    }
    return err(allFailed(attempts));
  }

  return {
    has: (name) => entries.has(name),
    names: () => [...entries.keys()].sort(),
    capabilities: () =>
      [...new Set([...entries.values()].flatMap((e) => e.definition.capabilities))].sort(),
    register(definition) {
      const parsed = modelDefinitionSchema.safeParse(definition);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        return err(
          new OrchestrationError(
            'invalid_config',
            `registerModel: ${where}${issue?.message ?? 'invalid model'}`,
            {
              op: 'registerModel',
              details: { issues: parsed.error.issues },
            },
          ),
        );
      }
      const d = parsed.data as ModelDefinition;
      if (entries.has(d.name)) {
        return err(
          new OrchestrationError(
            'invalid_config',
            `registerModel: model "${d.name}" is already registered`,
            {
              op: 'registerModel',
              details: { name: d.name },
            },
          ),
        );
      }
      const base: Runnable<ModelInput> = isRunnable(d.runnable)
        ? d.runnable
        : new LangChainModel(d.name, d.runnable);
      let limiter: ModelLimiter | undefined;
      if (d.rateLimit !== undefined) {
        const made = createModelLimiter(d.name, d.rateLimit);
        if (made.isErr()) return err(made.error);
        limiter = made.value;
      }
      entries.set(d.name, {
        definition: d,
        order: entries.size,
        guarded: withCircuitBreaker(base, {
          failureThreshold: d.circuitBreaker?.failureThreshold ?? 3,
          resetTimeoutMs: d.circuitBreaker?.resetTimeoutMs ?? 30_000,
        }),
        limiter,
        calls: 0,
        successes: 0,
        failures: 0,
      });
      return ok(undefined);
    },
    candidates: (request) => rank(request).map((list) => list.map((e) => e.definition.name)),
    generate(request, options = {}) {
      const parsed = modelRequestSchema.safeParse(request);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        return errAsync(
          invalidRequest(`${where}${issue?.message ?? 'invalid request'}`, {
            issues: parsed.error.issues,
          }),
        );
      }
      return new ResultAsync(
        run(parsed.data as ModelRequest, options).catch((error: unknown) =>
          err(
            new OrchestrationError('execution_failed', `models.generate: ${showError(error)}`, {
              op: 'models.generate',
              cause: error,
            }),
          ),
        ),
      );
    },
    stats(name) {
      const e = entries.get(name);
      if (e === undefined) return undefined;
      return {
        name,
        calls: e.calls,
        successes: e.successes,
        failures: e.failures,
        circuit: e.guarded.state(),
      };
    },
    async check() {
      const parts = [...entries.values()].map((e) => ({
        check: async () => {
          const circuit = await e.guarded.check();
          const shared = e.limiter?.limiter as Partial<HealthChecker> | undefined;
          const limiter = typeof shared?.check === 'function' ? [await shared.check()] : [];
          return healthReport(
            `model:${e.definition.name}`,
            circuit.status,
            {
              circuit: e.guarded.state(),
              calls: e.calls,
              failures: e.failures,
            },
            [circuit, ...limiter],
          );
        },
      }));
      // One open circuit leaves the other models: the registry is degraded, not down.
      return aggregateHealth('models', parts, { policy: 'degraded' });
    },
  };
}

function allFailed(attempts: readonly ModelAttempt[]): OrchestrationError {
  const limited = attempts.length > 0 && attempts.every((a) => a.outcome === 'rate_limited');
  const open = attempts.length > 0 && attempts.every((a) => a.outcome === 'circuit_open');
  const code = limited ? 'rate_limit_exceeded' : open ? 'circuit_breaker_open' : 'execution_failed';
  const list = attempts
    .map(
      (a) =>
        `${a.model}: ${a.outcome === 'circuit_open' ? 'circuit open' : (a.error?.message ?? a.outcome)}`,
    )
    .join('; ');
  return new OrchestrationError(code, `every capable model failed (${list})`, {
    op: 'models.generate',
    details: { attempts },
  });
}
