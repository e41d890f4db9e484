import type { Observable } from 'rxjs';
import type { HealthChecker, HealthReport } from './health.js';

/** Counters an Orchestrator keeps about the work it ran. */
export interface OrchestratorMetrics {
  readonly activeChains: number;
  readonly activeGraphs: number;
  readonly activeWorkflows: number;
  readonly totalExecutions: number;
  readonly errorCount: number;
}

/**
 * The facade over chains, graphs and workflows (implemented in the `baton` package). Its
 * factories take the same arguments as `createChain`, `createGraph` and `createWorkflow`.
 */
export interface OrchestratorBase extends HealthChecker {
  getMetrics(): OrchestratorMetrics;
  /** Health reports at the configured interval, starting on subscription. */
  readonly health$: Observable<HealthReport>;
  /** Stops health checks and closes providers' connections. */
  shutdown(): Promise<void>;
}
