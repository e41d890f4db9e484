/**
 * Bad input to the public API of @baton/graph gets a typed OrchestrationError that says what to
 * fix: `createGraph`, the `withGraph*` and `withNode*` options and every structure call answer
 * with an `Err` naming the option, node or edge; runs answer bad options, routers that return
 * garbage and nodes that fail with anything with an `Err`; nothing throws, rejects, hangs or
 * leaves a timer behind.
 */
import {
  noopLogger,
  runnable,
  withLogger,
  withMetricsPrefix,
  withTracerProvider,
  type GraphProvider,
  type Registry,
  type Runnable,
} from '@baton/core';
import { trackTimers } from '@baton/test-support';
import { trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyValue,
  callMethod,
  expectErr,
  expectOk,
  expectSettled,
  expectTypedError,
  FAILURE_KINDS,
  FAILURES,
  failOnProcessErrors,
  isNonEmptyString,
  isObject,
  isRunnableLike,
  METHODS,
  mostly,
  runOptionsArb,
  runOptionsProblem,
  RUNS,
  safely,
  settle,
  type Method,
  type Outcome,
} from '../../core/test/bad-input-contract.js';
import {
  createGraph,
  createGraphWithRegistry,
  defaultGraphRegistry,
  registerGraphProvider,
  withGraphCheckpointer,
  withGraphDescription,
  withGraphFailFast,
  withGraphMaxWorkers,
  withGraphName,
  withGraphParallelExecution,
  withGraphProvider,
  withGraphQueueSize,
  withGraphRetries,
  withGraphTimeout,
  withNodeCache,
  withNodeInput,
  withNodePriority,
  withNodeRetries,
  withNodeRetryPolicy,
  withNodeTimeout,
  type GraphOption,
  type NodeOption,
} from '../src/index.js';
import { graphOf, RecordingStore } from './support.js';

failOnProcessErrors();

const MAX_TIMER_MS = 2_147_483_647;
const id = runnable('id', (x: unknown) => x);
const looseCreate = createGraph as (...options: unknown[]) => unknown;

/** A graph with nodes `a` and `b` and no edges, its structure calls untyped. */
function twoNodes() {
  const graph = createGraph()._unsafeUnwrap();
  graph.addNode('a', id)._unsafeUnwrap();
  graph.addNode('b', id)._unsafeUnwrap();
  return graph as unknown as Record<string, (...args: unknown[]) => unknown>;
}

interface Spec<O> {
  readonly make: (v: unknown) => O;
  readonly good: fc.Arbitrary<unknown>;
  readonly fits: (v: unknown) => boolean;
  readonly field: string;
}

const isMs = (v: unknown): boolean =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_TIMER_MS;
const countFrom =
  (min: number) =>
  (v: unknown): boolean =>
    v === Infinity || (typeof v === 'number' && Number.isInteger(v) && v >= min);
const retriesFit = (v: unknown): boolean =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const hasMethods = (v: unknown, methods: readonly string[]): boolean =>
  safely(() => isObject(v) && methods.every((m) => typeof v[m] === 'function'), false);

const GRAPH_OPTIONS: Readonly<Record<string, Spec<GraphOption>>> = {
  withGraphName: {
    make: (v) => withGraphName(v as string),
    good: fc.constantFrom('g', ' g '),
    fits: isNonEmptyString,
    field: 'name',
  },
  withGraphDescription: {
    make: (v) => withGraphDescription(v as string),
    good: fc.constant('text'),
    fits: (v) => typeof v === 'string',
    field: 'description',
  },
  withGraphTimeout: {
    make: (v) => withGraphTimeout(v as number),
    good: fc.constantFrom(0, 1_000, MAX_TIMER_MS),
    fits: isMs,
    field: 'timeoutMs',
  },
  withGraphRetries: {
    make: (v) => withGraphRetries(v as number),
    good: fc.constantFrom(0, 3),
    fits: retriesFit,
    field: 'retries',
  },
  withGraphMaxWorkers: {
    make: (v) => withGraphMaxWorkers(v as number),
    good: fc.constantFrom(1, 8, Infinity),
    fits: countFrom(1),
    field: 'maxWorkers',
  },
  withGraphQueueSize: {
    make: (v) => withGraphQueueSize(v as number),
    good: fc.constantFrom(0, 8, Infinity),
    fits: countFrom(0),
    field: 'queueSize',
  },
  withGraphParallelExecution: {
    make: (v) => withGraphParallelExecution(v as boolean),
    good: fc.boolean(),
    fits: (v) => typeof v === 'boolean',
    field: 'parallel',
  },
  withGraphFailFast: {
    make: (v) => withGraphFailFast(v as boolean),
    good: fc.boolean(),
    fits: (v) => typeof v === 'boolean',
    field: 'failFast',
  },
  withGraphCheckpointer: {
    make: (v) => withGraphCheckpointer(v as RecordingStore),
    good: fc.constant(null).map(() => new RecordingStore()),
    // `undefined` means no checkpoints, the default.
    fits: (v) => v === undefined || hasMethods(v, ['saveRun', 'saveNode', 'loadRun']),
    field: 'checkpointer',
  },
  withTracerProvider: {
    make: (v) => withTracerProvider(v as never),
    good: fc.constant(null).map(() => trace.getTracerProvider()),
    fits: (v) => v === undefined || hasMethods(v, ['getTracer']),
    field: 'tracerProvider',
  },
  withLogger: {
    make: (v) => withLogger(v as never),
    good: fc.constant(noopLogger),
    fits: (v) => v === undefined || hasMethods(v, ['debug', 'info', 'warn', 'error']),
    field: 'logger',
  },
  withMetricsPrefix: {
    make: (v) => withMetricsPrefix(v as string),
    good: fc.constant('app'),
    fits: (v) => v === undefined || isNonEmptyString(v),
    field: 'metricsPrefix',
  },
};

/** Checks that `outcome` fits `spec` for `value`: Ok when it fits, else invalid_config naming it. */
function expectOption(
  outcome: Outcome,
  name: string,
  spec: Spec<unknown>,
  value: unknown,
  extra: readonly string[] = [],
) {
  if (spec.fits(value)) expectOk(outcome, value);
  else {
    const mentions = [name, spec.field, ...extra];
    expectErr(outcome, { codes: ['invalid_config'], mentions, input: value });
  }
}

function optionArb<O>(specs: Readonly<Record<string, Spec<O>>>) {
  return fc
    .constantFrom(...Object.keys(specs))
    .chain((name) => fc.tuple(fc.constant(name), mostly((specs[name] as Spec<O>).good)));
}

describe('createGraph(...options)', () => {
  it('answers any bad option value with invalid_config naming the option or its field', async () => {
    await fc.assert(
      fc.asyncProperty(optionArb(GRAPH_OPTIONS), async ([name, value]) => {
        const spec = GRAPH_OPTIONS[name] as Spec<GraphOption>;
        expectOption(await settle(() => createGraph(spec.make(value))), name, spec, value);
      }),
      RUNS,
    );
  });

  it('withGraphProvider answers a bad name with invalid_config, an unknown one with not_found', async () => {
    await fc.assert(
      fc.asyncProperty(mostly(fc.constantFrom('dag', ' dag ', 'nope')), async (name) => {
        const outcome = await settle(() => createGraph(withGraphProvider(name as string)));
        const mentions = ['withGraphProvider', 'provider'];
        if (isNonEmptyString(name) && name.trim() === 'dag') expectOk(outcome, name);
        else if (isNonEmptyString(name)) {
          expectErr(outcome, { codes: ['not_found'], mentions, input: name });
        } else expectErr(outcome, { codes: ['invalid_config'], mentions, input: name });
      }),
      RUNS,
    );
  });

  it('answers anything that is not an option function with invalid_config naming its position', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (option) => {
        const outcome = await settle(() => looseCreate(withGraphName('g'), option));
        if (typeof option === 'function') expectSettled(outcome, option);
        else {
          expectErr(outcome, { codes: ['invalid_config'], mentions: ['option #2'], input: option });
        }
      }),
      RUNS,
    );
  });

  it('registerGraphProvider and createGraphWithRegistry answer bad registries and providers with a typed Err', async () => {
    const before = defaultGraphRegistry().list();
    const misbehaving = (value: unknown): Registry<GraphProvider> => {
      const registry = defaultGraphRegistry().clone();
      registry.unregister('dag');
      registry.register('dag', { createGraph: () => value as never });
      return registry;
    };
    await fc.assert(
      fc.asyncProperty(anyValue, anyValue, fc.boolean(), async (name, value, asRegistry) => {
        if (!isNonEmptyString(name) || value === undefined || value === null) {
          const outcome = await settle(() => registerGraphProvider(name as string, value as never));
          expectErr(outcome, { codes: ['invalid_config'], input: [name, value] });
        }
        const registry = asRegistry ? (value as Registry<GraphProvider>) : misbehaving(value);
        expectErr(await settle(() => createGraphWithRegistry(registry)), { input: value });
      }),
      RUNS,
    );
    expect(defaultGraphRegistry().list()).toEqual(before);
  });
});

const POLICY_RULES: Readonly<Record<string, (v: unknown) => boolean>> = {
  // withNodeRetries alone sets the attempts: a policy with maxAttempts is refused.
  maxAttempts: () => false,
  initialDelayMs: isMs,
  maxDelayMs: isMs,
  multiplier: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 1,
  jitter: (v) => typeof v === 'number' && v >= 0 && v <= 1,
  retryOn: (v) => typeof v === 'function',
};
const CACHE_RULES: Readonly<Record<string, (v: unknown) => boolean>> = {
  store: (v) => hasMethods(v, ['get', 'set', 'delete']),
  key: (v) => typeof v === 'function',
  namespace: (v) => typeof v === 'string',
  ttlMs: (v) => typeof v === 'number' && v > 0 && Number.isFinite(v),
};

/** A readable object whose present fields each follow their rule. */
const settingsFit =
  (rules: Readonly<Record<string, (v: unknown) => boolean>>) =>
  (v: unknown): boolean =>
    safely(() => {
      if (!isObject(v)) return false;
      const copy: Record<string, unknown> = { ...v };
      return Object.entries(rules).every(([k, rule]) => copy[k] === undefined || rule(copy[k]));
    }, false);

const NODE_OPTIONS: Readonly<Record<string, Spec<NodeOption>>> = {
  withNodePriority: {
    make: (v) => withNodePriority(v as number),
    good: fc.constantFrom(0, 3),
    fits: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 3,
    field: 'priority',
  },
  withNodeRetries: {
    make: (v) => withNodeRetries(v as number),
    good: fc.constantFrom(0, 2),
    // `undefined` means the graph's retries, the default.
    fits: (v) => v === undefined || retriesFit(v),
    field: 'retries',
  },
  withNodeRetryPolicy: {
    make: (v) => withNodeRetryPolicy(v as object),
    good: fc.record(
      {
        maxAttempts: fc.constantFrom(undefined, 2),
        initialDelayMs: mostly(fc.constant(0)),
        retryOn: mostly(fc.constant(() => true)),
      },
      { requiredKeys: [] },
    ),
    fits: settingsFit(POLICY_RULES),
    field: 'retryPolicy',
  },
  withNodeTimeout: {
    make: (v) => withNodeTimeout(v as number),
    good: fc.constantFrom(0, 1_000),
    fits: isMs,
    field: 'timeoutMs',
  },
  withNodeCache: {
    make: (v) => withNodeCache(v as object),
    good: fc.record({ ttlMs: mostly(fc.constant(1_000)) }, { requiredKeys: [] }),
    fits: (v) => v === undefined || settingsFit(CACHE_RULES)(v),
    field: 'cache',
  },
  withNodeInput: {
    make: (v) => withNodeInput(v as () => unknown),
    good: fc.constant(() => 1),
    fits: (v) => v === undefined || typeof v === 'function',
    field: 'input',
  },
};

describe('addNode(name, runnable, ...options)', () => {
  it('answers a bad name with invalid_config naming it', async () => {
    await fc.assert(
      fc.asyncProperty(mostly(fc.constantFrom('a', 'c', ' c ')), async (name) => {
        const outcome = await settle(() => twoNodes()['addNode']?.(name, id));
        const fine = isNonEmptyString(name) && name !== '__proto__';
        if (fine && name !== 'a') expectOk(outcome, name);
        else {
          const mentions = fine ? ['already exists'] : ['node name'];
          expectErr(outcome, { codes: ['invalid_config'], mentions, input: name });
        }
      }),
      RUNS,
    );
  });

  it('answers anything but a Runnable with invalid_config naming the node', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (value) => {
        const outcome = await settle(() => twoNodes()['addNode']?.('c', value));
        if (isRunnableLike(value)) expectOk(outcome, value);
        else {
          const mentions = ['"c" needs a Runnable'];
          expectErr(outcome, { codes: ['invalid_config'], mentions, input: value });
        }
      }),
      RUNS,
    );
  });

  it('answers any bad node option with invalid_config naming the option or its field', async () => {
    await fc.assert(
      fc.asyncProperty(optionArb(NODE_OPTIONS), async ([name, value]) => {
        const spec = NODE_OPTIONS[name] as Spec<NodeOption>;
        const outcome = await settle(() => twoNodes()['addNode']?.('c', id, spec.make(value)));
        expectOption(outcome, name, spec, value, ['withNodeRetries']);
      }),
      RUNS,
    );
  });

  it('answers anything that is not an option function with invalid_config', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (option) => {
        const outcome = await settle(() => twoNodes()['addNode']?.('c', id, option));
        if (typeof option === 'function') expectSettled(outcome, option);
        else {
          expectErr(outcome, { codes: ['invalid_config'], mentions: ['option #1'], input: option });
        }
      }),
      RUNS,
    );
  });
});

/** A node name: a known one, an unknown one, or anything. */
const nodeName = mostly(fc.constantFrom('a', 'b', 'zz'));
const KNOWN = new Set(['a', 'b']);
const known = (v: unknown): boolean => typeof v === 'string' && KNOWN.has(v);

describe('edges and points', () => {
  it('addEdge answers bad names and options with a typed Err naming them', async () => {
    const options = fc.oneof(
      fc.constant(undefined),
      anyValue,
      fc.record({ required: mostly(fc.boolean()) }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(nodeName, nodeName, options, async (from, to, opts) => {
        const outcome = await settle(() => twoNodes()['addEdge']?.(from, to, opts));
        const optionsFit =
          opts === undefined ||
          safely(() => {
            if (!isObject(opts)) return false;
            const required = opts['required'];
            // `null` and `undefined` mean the default, as `??` reads them.
            return required === undefined || required === null || typeof required === 'boolean';
          }, false);
        if (!optionsFit) {
          const mentions = ['edge options'];
          expectErr(outcome, { codes: ['invalid_config'], mentions, input: opts });
        } else if (!known(from) || !known(to)) {
          const mentions = [known(from) ? 'target' : 'source'];
          expectErr(outcome, { codes: ['not_found'], mentions, input: [from, to] });
        } else if (from === to) {
          expectErr(outcome, { codes: ['invalid_config'], mentions: ['itself'], input: from });
        } else expectOk(outcome, [from, to]);
      }),
      RUNS,
    );
  });

  it('addConditionalEdges answers a bad source, router or targets with a typed Err', async () => {
    const router = mostly(fc.constant(() => 'b'));
    const targets = fc.oneof(anyValue, fc.array(nodeName, { maxLength: 3 }));
    await fc.assert(
      fc.asyncProperty(nodeName, router, targets, async (from, route, list) => {
        const outcome = await settle(() => twoNodes()['addConditionalEdges']?.(from, route, list));
        const items = safely<unknown[] | undefined>(
          () => (Array.isArray(list) ? Array.from(list) : undefined),
          undefined,
        );
        if (!known(from)) {
          expectErr(outcome, { codes: ['not_found'], mentions: ['source'], input: from });
        } else if (typeof route !== 'function') {
          expectErr(outcome, { codes: ['invalid_config'], mentions: ['router'], input: route });
        } else if (items === undefined || items.length === 0) {
          expectErr(outcome, { codes: ['invalid_config'], mentions: ['target'], input: list });
        } else {
          // Targets are checked in order: unknown, listed twice, or `from` itself.
          const seen = new Set<unknown>();
          const firstBad = items.find((t) => {
            const bad = !known(t) || seen.has(t) || t === from;
            seen.add(t);
            return bad;
          });
          const anyBad = items.some((t, i) => !known(t) || items.indexOf(t) !== i || t === from);
          if (!anyBad) expectOk(outcome, list);
          else if (!known(firstBad)) {
            expectErr(outcome, { codes: ['not_found'], mentions: ['target'], input: list });
          } else expectErr(outcome, { codes: ['invalid_config'], input: list });
        }
      }),
      RUNS,
    );
  });

  it('setEntryPoint and setFinishPoint answer anything but known names with a typed Err', async () => {
    const names = fc.oneof(nodeName, fc.array(nodeName, { maxLength: 3 }));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('setEntryPoint', 'setFinishPoint'),
        names,
        async (method, value) => {
          const outcome = await settle(() => twoNodes()[method]?.(value));
          const items = safely<unknown[] | undefined>(
            () =>
              typeof value === 'string'
                ? [value]
                : Array.isArray(value)
                  ? Array.from(value)
                  : undefined,
            undefined,
          );
          if (items === undefined || items.length === 0) {
            const mentions = ['node name'];
            expectErr(outcome, { codes: ['invalid_config'], mentions, input: value });
          } else if (!items.every(known)) {
            expectErr(outcome, { codes: ['not_found'], mentions: ['point'], input: value });
          } else expectOk(outcome, value);
        },
      ),
      RUNS,
    );
  });
});

type RunMethod = Method | 'start';

/** Runs `graph` through `method`; `start` resolves to its handle's result. */
function run(graph: object, method: RunMethod, input: unknown, options: unknown): unknown {
  if (method !== 'start') return callMethod(graph, method, input, options);
  const started = (graph as { start: (i: unknown, o: unknown) => unknown }).start(input, options);
  const handle = started as { isOk(): boolean; value?: { result: unknown } };
  return handle.isOk() ? handle.value?.result : started;
}

const RUN_METHODS: readonly RunMethod[] = [...METHODS, 'start'];

describe('runs', () => {
  it('every method answers bad run options with invalid_config naming the field', async () => {
    const graph = graphOf({ a: id, b: id }, [['a', 'b']]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...RUN_METHODS), runOptionsArb(true), async (m, options) => {
        const problem = runOptionsProblem(options, m === 'batch' || m === 'batchSettled');
        const outcome = await settle(() => run(graph, m, 1, options));
        if (problem === undefined) expectOk(outcome, options);
        else if (
          m === 'batchSettled' &&
          problem.every((p) => ['timeoutMs', 'metadata', 'configurable', 'tags'].includes(p))
        ) {
          const results = expectOk(outcome, options) as { error?: unknown }[];
          expectTypedError(results[0]?.error, { codes: ['invalid_config'], mentions: problem });
        } else {
          expectErr(outcome, { codes: ['invalid_config'], mentions: problem, input: options });
        }
      }),
      RUNS,
    );
  });

  it('resume answers a bad run id or options with a typed Err', async () => {
    const store = new RecordingStore();
    const graph = graphOf({ a: id }, [], withGraphCheckpointer(store));
    expectOk(await settle(() => graph.invoke(1, { runId: 'done' })));
    const runId = mostly(fc.constantFrom('done', 'unknown'));
    const options = fc.oneof(fc.constant(undefined), runOptionsArb(false));
    await fc.assert(
      fc.asyncProperty(runId, options, async (id_, opts) => {
        const resume = (runId: unknown, options: unknown): unknown =>
          graph.resume(runId as string, options as object);
        const outcome = await settle(() => resume(id_, opts));
        const problem = runOptionsProblem(opts, false);
        if (!isNonEmptyString(id_)) {
          const mentions = ['runId', ...(problem ?? [])];
          expectErr(outcome, { codes: ['invalid_config'], mentions, input: id_ });
        } else if (problem !== undefined) {
          expectErr(outcome, { codes: ['invalid_config'], mentions: problem, input: opts });
        } else if (id_ !== 'done') {
          expectErr(outcome, { codes: ['not_found'], input: id_ });
        } else expectOk(outcome, id_);
      }),
      RUNS,
    );
  });
});

/** `a` routes to `b` or `c` (both sinks, so both finish points). */
function routed(router: (output: unknown) => unknown) {
  const graph = createGraph()._unsafeUnwrap();
  graph.addNode('a', id)._unsafeUnwrap();
  graph.addNode('b', id)._unsafeUnwrap();
  graph.addNode('c', id)._unsafeUnwrap();
  graph.addConditionalEdges('a', router as () => string, ['b', 'c'])._unsafeUnwrap();
  return graph;
}

describe('routers', () => {
  it('a router answering garbage, throwing or rejecting fails its node with a typed error', async () => {
    const answer = fc.oneof(
      anyValue,
      fc.constantFrom('b', 'c'),
      fc.array(fc.constantFrom('b', 'c', 'zz'), { maxLength: 3 }),
    );
    const how = fc.constantFrom('returns', 'resolves', 'throws', 'rejects');
    await fc.assert(
      fc.asyncProperty(answer, how, fc.constantFrom(...RUN_METHODS), async (value, h, m) => {
        // A router's promise that never settles hangs its node: see the timeout test.
        fc.pre(!safely(() => typeof (value as { then?: unknown })?.then === 'function', false));
        const router = {
          returns: () => value,
          resolves: () => Promise.resolve(value),
          throws: FAILURES.throws(value),
          rejects: FAILURES.rejects(value),
        }[h];
        const outcome = await settle(() => run(routed(router), m, 1, undefined));
        const picks = safely<unknown[]>(
          () =>
            typeof value === 'string' ? [value] : Array.isArray(value) ? Array.from(value) : [0],
          [0],
        );
        const answered = h === 'returns' || h === 'resolves';
        const fine = answered && picks.every((p) => p === 'b' || p === 'c');
        // Only a readable answer is judged by the router's rules (invalid_state).
        const readable = safely(() => ((value as { then?: unknown } | null)?.then, true), false);
        if (m === 'batchSettled') {
          const results = expectOk(outcome, value) as { isOk(): boolean; error?: unknown }[];
          if (!fine || picks.length === 0) expectTypedError(results[0]?.error, { input: value });
        } else if (fine && picks.length > 0) expectOk(outcome, value);
        else if (fine) {
          const mentions = ['skipped'];
          expectErr(outcome, { codes: ['invalid_state'], mentions, input: value });
        } else {
          const codes = answered && readable ? (['invalid_state'] as const) : undefined;
          expectErr(outcome, { mentions: ['router'], input: value, ...(codes ? { codes } : {}) });
        }
      }),
      RUNS,
    );
  });
});

describe('failing nodes', () => {
  it('a node failing with any value fails the run with a typed error', async () => {
    const variants: readonly (readonly [string, GraphOption[], NodeOption[]])[] = [
      ['plain', [], []],
      ['retried', [], [withNodeRetries(1), withNodeRetryPolicy({ initialDelayMs: 0 })]],
      ['fail slow', [withGraphFailFast(false)], []],
      ['sequential', [withGraphParallelExecution(false)], []],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FAILURE_KINDS),
        anyValue,
        fc.constantFrom(...variants),
        fc.constantFrom(...RUN_METHODS),
        async (kind, value, [, graphOptions, nodeOptions], m) => {
          const bad = runnable('bad', FAILURES[kind](value));
          const graph = graphOf(
            { a: id, bad: [bad, ...nodeOptions], c: id },
            [
              ['a', 'bad'],
              ['a', 'c'],
            ],
            ...graphOptions,
          );
          const outcome = await settle(() => run(graph, m, 1, undefined));
          if (m === 'batchSettled') {
            const results = expectOk(outcome) as { isErr(): boolean; error?: unknown }[];
            expect(results[0]?.isErr()).toBe(true);
            expectTypedError(results[0]?.error, { input: value });
          } else expectErr(outcome, { mentions: ['bad'], input: value });
        },
      ),
      RUNS,
    );
  });

  it('withNodeInput failing with any value fails the run with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, fc.constantFrom(...RUN_METHODS), async (value, m) => {
        const input = FAILURES.throws(value);
        const graph = graphOf({ a: id, b: [id, withNodeInput(input)] }, [['a', 'b']]);
        const outcome = await settle(() => run(graph, m, 1, undefined));
        if (m === 'batchSettled') {
          const results = expectOk(outcome) as { error?: unknown }[];
          expectTypedError(results[0]?.error, { input: value });
        } else expectErr(outcome, { input: value });
      }),
      RUNS,
    );
  });

  it('nodes and routers that never settle stop at every kind of timeout, leaving no timer behind', async () => {
    const stuck: Runnable = runnable('stuck', () => ({ then: () => undefined }));
    const never = () => new Promise<string>(() => undefined);
    const ways: readonly (readonly [string, () => object, object | undefined])[] = [
      [
        'withGraphTimeout',
        () => graphOf({ a: id, s: stuck }, [['a', 's']], withGraphTimeout(20)),
        undefined,
      ],
      [
        'withNodeTimeout',
        () => graphOf({ a: id, s: [stuck, withNodeTimeout(20)] }, [['a', 's']]),
        undefined,
      ],
      ['RunOptions.timeoutMs', () => graphOf({ a: id, s: stuck }, [['a', 's']]), { timeoutMs: 20 }],
      ['router + RunOptions.timeoutMs', () => routed(never), { timeoutMs: 20 }],
    ];
    const timers = trackTimers();
    try {
      for (const [way, make, options] of ways) {
        for (const m of RUN_METHODS) {
          const outcome = await settle(() => run(make(), m, 1, options));
          const expected = { codes: ['timeout'] as const, mentions: ['timed out'], input: way };
          if (m === 'batchSettled') {
            const results = expectOk(outcome) as { error?: unknown }[];
            expectTypedError(results[0]?.error, expected);
          } else expectErr(outcome, expected);
        }
      }
      expect(timers.pending()).toBe(0);
    } finally {
      timers.restore();
    }
  });
});

describe('a run handle', () => {
  it('reports a failed run on result and events$, never as an unhandled error', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (value) => {
        const graph = graphOf({ a: runnable('a', FAILURES.throws(value)) }, []);
        const handle = graph.start(1)._unsafeUnwrap();
        const seen: string[] = [];
        handle.events$.subscribe((e) => seen.push(e.type)); // no error handler on purpose
        expectErr(await settle(() => handle.result), { input: value });
        expect(seen).toContain('step-error');
        expect(handle.status()).toBe('failed');
      }),
      RUNS,
    );
  });
});

describe('after the first run', () => {
  it('every structure call answers with invalid_state, whatever its arguments', async () => {
    const graph = graphOf({ a: id, b: id }, [['a', 'b']]);
    expectOk(await settle(() => graph.invoke(1)));
    const calls = graph as unknown as Record<string, (...args: unknown[]) => unknown>;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'addNode',
          'addEdge',
          'addConditionalEdges',
          'setEntryPoint',
          'setFinishPoint',
        ),
        anyValue,
        anyValue,
        async (method, x, y) => {
          const outcome: Outcome = await settle(() => calls[method]?.call(graph, x, y, x));
          expectErr(outcome, { codes: ['invalid_state'], mentions: ['frozen'] });
        },
      ),
      RUNS,
    );
  });
});
