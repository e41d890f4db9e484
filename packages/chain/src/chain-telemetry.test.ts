import { runnable, withMeterProvider, withMetricsPrefix, withTracerProvider } from '@baton/core';
import { createOtelTestKit, type OtelTestKit } from '@baton/test-support';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  withChainName,
  withChainRetries,
  withChainRetryPolicy,
  type ChainOption,
} from './chain-options.js';
import { createChain } from './create-chain.js';

let kit: OtelTestKit;

beforeEach(() => {
  kit = createOtelTestKit();
});

const telemetry = (): ChainOption[] => [
  withTracerProvider(kit.tracerProvider),
  withMeterProvider(kit.meterProvider),
  withMetricsPrefix('test'),
];

const byName = (name: string) => kit.spansNamed(name);
const points = (name: string) => kit.points(name);

describe('spans', () => {
  it('records baton.chain.invoke with one baton.chain.step child per step', async () => {
    const chain = createChain(
      [runnable('parse', (s: string) => Number(s)), runnable('double', (n: number) => n * 2)],
      withChainName('math'),
      ...telemetry(),
    )._unsafeUnwrap();
    await chain.invoke('2', { runId: 'run-1' });
    const [root] = byName('baton.chain.invoke');
    const steps = byName('baton.chain.step');
    expect(root?.attributes).toMatchObject({ 'baton.name': 'math', 'baton.run.id': 'run-1' });
    expect(steps.map((s) => s.attributes)).toEqual([
      expect.objectContaining({
        'baton.name': 'parse',
        'baton.step.index': 0,
        'baton.attempt': 1,
        'baton.run.id': 'run-1',
      }),
      expect.objectContaining({
        'baton.name': 'double',
        'baton.step.index': 1,
        'baton.attempt': 1,
        'baton.run.id': 'run-1',
      }),
    ]);
    for (const step of steps) {
      expect(step.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
      expect(step.spanContext().traceId).toBe(root?.spanContext().traceId);
    }
  });

  it('records one step span per attempt, the failed ones with error status', async () => {
    let calls = 0;
    const chain = createChain(
      [
        runnable('flaky', (n: number) => {
          calls++;
          if (calls < 3) throw new Error('flaky');
          return n;
        }),
      ],
      withChainRetries(2),
      withChainRetryPolicy({ initialDelayMs: 1, jitter: 0 }),
      ...telemetry(),
    )._unsafeUnwrap();
    expect((await chain.invoke(1)).isOk()).toBe(true);
    const steps = byName('baton.chain.step');
    expect(steps.map((s) => s.attributes['baton.attempt'])).toEqual([1, 2, 3]);
    expect(steps.map((s) => s.status.code)).toEqual([2, 2, 0]);
    expect(steps[0]?.events.some((e) => e.name === 'exception')).toBe(true);
  });

  it('nests a chain used as a step under the outer step span', async () => {
    const inner = createChain(
      [(n: number) => n + 1],
      withChainName('inner'),
      ...telemetry(),
    )._unsafeUnwrap();
    const outer = createChain([inner], withChainName('outer'), ...telemetry())._unsafeUnwrap();
    await outer.invoke(1);
    const invokes = byName('baton.chain.invoke');
    const innerRoot = invokes.find((s) => s.attributes['baton.name'] === 'inner');
    const outerStep = byName('baton.chain.step').find(
      (s) => s.attributes['baton.name'] === 'inner',
    );
    expect(innerRoot?.parentSpanContext?.spanId).toBe(outerStep?.spanContext().spanId);
  });

  it('marks the chain span as failed with the error code', async () => {
    const chain = createChain(
      [
        (): number => {
          throw new Error('nope');
        },
      ],
      ...telemetry(),
    )._unsafeUnwrap();
    await chain.invoke(1);
    const [root] = byName('baton.chain.invoke');
    expect(root?.status.code).toBe(2);
    expect(root?.attributes['baton.error.code']).toBe('execution_failed');
  });
});

describe('metrics', () => {
  it('counts executions and errors, records durations, and returns active to zero', async () => {
    const chain = createChain(
      [
        (n: number) => {
          if (n < 0) throw new Error('negative');
          return n;
        },
      ],
      withChainName('counted'),
      ...telemetry(),
    )._unsafeUnwrap();
    await chain.invoke(1);
    await chain.invoke(2);
    await chain.invoke(-1);
    const executions = await points('test.executions');
    const ok = executions.find((p) => p.attributes['status'] === 'success');
    const failed = executions.find((p) => p.attributes['status'] === 'error');
    expect(ok?.attributes).toMatchObject({ kind: 'chain', name: 'counted' });
    expect(ok?.value).toBe(2);
    expect(failed?.value).toBe(1);
    const errors = await points('test.errors');
    expect(errors).toEqual([
      expect.objectContaining({
        attributes: { kind: 'chain', name: 'counted', code: 'execution_failed' },
        value: 1,
      }),
    ]);
    const durations = await points('test.duration');
    expect(durations.reduce((sum, p) => sum + (p.value as Histogram).count, 0)).toBe(3);
    const active = await points('test.active');
    expect(active.map((p) => p.value)).toEqual([0]);
  });

  it('counts runs in progress as active while they run', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    let bothInside!: () => void;
    const inside = new Promise<void>((resolve) => (bothInside = resolve));
    const chain = createChain(
      [
        async (n: number) => {
          if (++running === 2) bothInside();
          await gate;
          return n;
        },
      ],
      withChainName('busy'),
      ...telemetry(),
    )._unsafeUnwrap();
    const runs = [chain.invoke(1), chain.invoke(2)];
    await inside;
    expect((await points('test.active')).map((p) => p.value)).toEqual([2]);
    release();
    await Promise.all(runs);
    expect((await points('test.active')).map((p) => p.value)).toEqual([0]);
  });

  it('records metrics for the chain only, not for each step', async () => {
    const chain = createChain(
      [(n: number) => n, (n: number) => n],
      withChainName('two'),
      ...telemetry(),
    )._unsafeUnwrap();
    await chain.invoke(1);
    const executions = await points('test.executions');
    expect(executions.map((p) => p.attributes['kind'])).toEqual(['chain']);
  });
});
