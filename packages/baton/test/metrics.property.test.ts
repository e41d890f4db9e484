import { OrchestrationError, runnable } from '@baton/core';
import fc from 'fast-check';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../src/index.js';

type Method = 'invoke' | 'stream' | 'batch' | 'start';

interface Plan {
  readonly kind: 'chain' | 'graph';
  readonly method: Method;
  readonly fail: boolean;
  /** Inputs of a batch (each is one run); 1 for the other methods. */
  readonly size: number;
}

const planArb: fc.Arbitrary<Plan> = fc
  .record({
    kind: fc.constantFrom('chain' as const, 'graph' as const),
    method: fc.constantFrom<Method>('invoke', 'stream', 'batch', 'start'),
    fail: fc.boolean(),
    size: fc.integer({ min: 1, max: 3 }),
  })
  .map((p) => ({
    ...p,
    method: p.kind === 'chain' && p.method === 'start' ? 'invoke' : p.method,
    size: p.method === 'batch' ? p.size : 1,
  }));

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** Starts one planned run whose steps wait for `g`; resolves when it settled. */
function start(o: Orchestrator, plan: Plan, g: Promise<void>): Promise<unknown> {
  const step = runnable('step', async (x: number) => {
    await g;
    if (plan.fail) throw new OrchestrationError('execution_failed', 'planned failure');
    return x;
  });
  const inputs = Array.from({ length: plan.size }, (_, i) => i);
  if (plan.kind === 'chain') {
    const chain = o.createChain([step])._unsafeUnwrap();
    if (plan.method === 'stream')
      return lastValueFrom(chain.stream(0).pipe(toArray())).catch(() => 0);
    if (plan.method === 'batch') return chain.batchSettled(inputs);
    return chain.invoke(0);
  }
  const graph = o.createGraphBuilder().node(step).build()._unsafeUnwrap();
  if (plan.method === 'stream')
    return lastValueFrom(graph.stream(0).pipe(toArray())).catch(() => 0);
  if (plan.method === 'batch') return graph.batchSettled(inputs);
  if (plan.method === 'start') return graph.start(0)._unsafeUnwrap().result;
  return graph.invoke(0);
}

describe('getMetrics under concurrent runs', () => {
  it('matches a reference count at every point, whatever the order runs end in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(planArb, { minLength: 1, maxLength: 12 }).chain((plans) =>
          fc.tuple(
            fc.constant(plans),
            fc.shuffledSubarray(
              plans.map((_, i) => i),
              { minLength: plans.length, maxLength: plans.length },
            ),
          ),
        ),
        async ([plans, order]) => {
          const o = createOrchestrator()._unsafeUnwrap();
          const gates = plans.map(() => gate());
          const runs = plans.map((plan, i) =>
            start(o, plan, (gates[i] as { promise: Promise<void> }).promise),
          );
          // the reference: every unit of every plan is active until its gate opens
          const active = { chain: 0, graph: 0 };
          let total = 0;
          let errors = 0;
          for (const p of plans) {
            active[p.kind] += p.size;
            total += p.size;
          }
          const expected = () => ({
            activeChains: active.chain,
            activeGraphs: active.graph,
            activeWorkflows: 0,
            totalExecutions: total,
            errorCount: errors,
          });
          expect(o.getMetrics()).toEqual(expected());
          for (const i of order) {
            const plan = plans[i] as Plan;
            gates[i]?.open();
            await runs[i];
            active[plan.kind] -= plan.size;
            if (plan.fail) errors += plan.size;
            expect(o.getMetrics()).toEqual(expected());
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is exact under many concurrent runs that end together', async () => {
    const o = createOrchestrator()._unsafeUnwrap();
    const chain = o
      .createChain([
        runnable('maybe', async (n: number) => {
          await new Promise((r) => setTimeout(r, n % 7));
          if (n % 5 === 0) throw new OrchestrationError('execution_failed', 'multiple of 5');
          return n;
        }),
      ])
      ._unsafeUnwrap();
    const runs = Array.from({ length: 500 }, (_, n) => chain.invoke(n));
    expect(o.getMetrics()).toMatchObject({ activeChains: 500, totalExecutions: 500 });
    await Promise.all(runs);
    expect(o.getMetrics()).toEqual({
      activeChains: 0,
      activeGraphs: 0,
      activeWorkflows: 0,
      totalExecutions: 500,
      errorCount: 100,
    });
  });
});
