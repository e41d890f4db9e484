import type {
  CheckpointStore,
  HealthChecker,
  HealthReport,
  OrchestratorMetrics,
} from '@baton/core';
import { aggregateHealth, healthReport } from '@baton/core/authoring';
import { exhaustMap, filter, from, takeUntil, timer, type Observable } from 'rxjs';
import type { ModelRegistry } from '../model-registry.js';
import type { TemporalLink } from './temporal-link.js';

/** What `Orchestrator.check()` looks at. */
export interface HealthParts {
  readonly accepting: boolean;
  readonly metrics: OrchestratorMetrics;
  readonly temporal: TemporalLink | undefined;
  readonly checkpointStore: CheckpointStore | undefined;
  readonly models: ModelRegistry;
  /** Chains, graphs and workflows created by the Orchestrator and still referenced. */
  readonly parts: readonly HealthChecker[];
}

/**
 * One report over every part: the Temporal server, the checkpoint store, the models, and each
 * chain, graph and workflow. Only reads: nothing is started, written or reset. A shut-down
 * Orchestrator is `unhealthy` (it runs nothing).
 */
export async function orchestratorHealth(p: HealthParts): Promise<HealthReport> {
  const checkers: HealthChecker[] = [];
  if (p.temporal !== undefined) checkers.push(p.temporal);
  if (p.checkpointStore !== undefined) {
    const store = p.checkpointStore;
    checkers.push({
      check: async () => {
        const report = await store.check();
        return healthReport('checkpoint-store', report.status, report.details, [report]);
      },
    });
  }
  checkers.push(p.models, ...p.parts);
  const details = { ...p.metrics, accepting: p.accepting };
  const report = await aggregateHealth('orchestrator', checkers, { details });
  if (p.accepting) return report;
  return healthReport(
    'orchestrator',
    'unhealthy',
    { ...details, reason: 'shut down' },
    report.checks,
  );
}

/**
 * `check()` at once on subscription, then every `intervalMs` (a check still running when the
 * next is due is not overlapped). Completes as soon as `stop$` emits `true` (at once when it
 * already has).
 */
export function healthStream(
  intervalMs: number,
  check: () => Promise<HealthReport>,
  stop$: Observable<boolean>,
): Observable<HealthReport> {
  return timer(0, intervalMs).pipe(
    exhaustMap(() => from(check())),
    takeUntil(stop$.pipe(filter(Boolean))),
  );
}
