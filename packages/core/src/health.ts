import { showError } from './show-value.js';

/** Health of a component: `degraded` still works, `unhealthy` does not. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthReport {
  readonly status: HealthStatus;
  /** What was checked, e.g. `chain:summarize` or `temporal`. */
  readonly component: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** Reports of the parts, for an aggregate. */
  readonly checks: readonly HealthReport[];
  /** `Date.now()` when the check ran. */
  readonly timestamp: number;
}

/** Anything that can report its health. A check has no side effects and never rejects. */
export interface HealthChecker {
  check(): Promise<HealthReport>;
}

const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** Builds a report. */
export function healthReport(
  component: string,
  status: HealthStatus,
  details: Readonly<Record<string, unknown>> = {},
  checks: readonly HealthReport[] = [],
): HealthReport {
  return { status, component, details, checks, timestamp: Date.now() };
}

/** The worst status of `statuses` (`healthy` when empty). */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = 'healthy';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

export interface AggregateHealthOptions {
  /**
   * A part that takes longer is reported `unhealthy` with a timeout detail.
   * @default 5000
   */
  readonly timeoutMs?: number;
  /**
   * Status of the aggregate when only some parts are unhealthy.
   * `worst` reports the worst part; `degraded` caps a partial failure at degraded.
   * @default 'worst'
   */
  readonly policy?: 'worst' | 'degraded';
  readonly details?: Readonly<Record<string, unknown>>;
}

async function checkOne(
  checker: HealthChecker,
  index: number,
  timeoutMs: number,
): Promise<HealthReport> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<HealthReport>((resolve) => {
    timer = setTimeout(
      () =>
        resolve(
          healthReport(`check#${index}`, 'unhealthy', {
            error: `no answer within ${timeoutMs} ms`,
          }),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([checker.check(), timeout]);
  } catch (error) {
    return healthReport(`check#${index}`, 'unhealthy', {
      error: showError(error),
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every checker concurrently (each bounded by a timeout; a throwing check counts as
 * unhealthy) and folds them into one report.
 *
 * @example
 * const report = await aggregateHealth('orchestrator', [chain, redisStore]);
 */
export async function aggregateHealth(
  component: string,
  checkers: readonly HealthChecker[],
  options: AggregateHealthOptions = {},
): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const checks = await Promise.all(checkers.map((c, i) => checkOne(c, i, timeoutMs)));
  let status = worstStatus(checks.map((c) => c.status));
  const allUnhealthy = checks.length > 0 && checks.every((c) => c.status === 'unhealthy');
  if (options.policy === 'degraded' && status === 'unhealthy' && !allUnhealthy) status = 'degraded';
  return healthReport(component, status, options.details ?? {}, checks);
}
